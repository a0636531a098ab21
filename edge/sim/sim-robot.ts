/**
 * One simulated robot: a world, a differential-drive body moving in it, and virtual devices (RPLIDAR,
 * Create 2 or DIY base, camera) plugged into a virtual serial bus. The daemon's real drivers open the bus's
 * ports exactly as they would open /dev/rplidar on a Pi. Everything runs on one VirtualClock and one seed.
 */
import { composePose, type Pose2D } from '../../shared/geometry.ts';
import { RobotConfigSchema, type RobotConfig } from '../../shared/config.ts';
import { createDriveBase, type DriveBase } from '../drivers/base.ts';
import { RplidarDriver } from '../drivers/rplidar/driver.ts';
import { DiffDriveBody } from './body.ts';
import { VirtualCamera } from './devices/camera.ts';
import { VirtualCreate2 } from './devices/create2.ts';
import { VirtualDiyBase } from './devices/diy-base.ts';
import { VirtualRplidar } from './devices/rplidar.ts';
import { Rng } from './rng.ts';
import type { VirtualClock } from './virtual-clock.ts';
import { VirtualSerialBus, type VirtualSerialPort } from './virtual-serial.ts';
import type { SimWorld } from './world/sim-world.ts';

/**
 * The simulated robot's config: a Create 2 with an RPLIDAR A2M12 (256000 baud, dense capsules, 8 k
 * samples/s at 10 Hz) and a 320×240 camera at 10 fps (the v2 camera's full field of view scaled down).
 */
export const SIM_ROBOT_CONFIG: RobotConfig = RobotConfigSchema.parse({
  robotId: 'sim-1',
  lidar: {
    model: 'A2M12',
    serial: { path: '/dev/rplidar', baudRate: 256000 },
    mount: { x: 0, y: 0, z: 0.12, yaw: 0 },
    scanMode: 'dense',
  },
  camera: {
    width: 320,
    height: 240,
    framerate: 10,
    intrinsics: { fx: 265, fy: 265, cx: 160, cy: 120 },
    mount: { x: 0.15, y: 0, z: 0.2, yaw: 0, pitch: 0.3 },
  },
  base: { type: 'create2', serial: { path: '/dev/create2', baudRate: 115200 } },
  dataDir: '.swath/sim',
});

export interface SimRobotOptions {
  world: SimWorld;
  clock: VirtualClock;
  seed: number;
  config?: RobotConfig;
  /** start pose in the world; defaults to the world's start */
  start?: Pose2D;
  /** physics steps per second of clock time (default 200) */
  physicsRate?: number;
}

export class SimulatedRobot {
  readonly world: SimWorld;
  readonly clock: VirtualClock;
  readonly config: RobotConfig;
  readonly bus: VirtualSerialBus;
  readonly body: DiffDriveBody;
  readonly lidar: VirtualRplidar;
  readonly base: VirtualCreate2 | VirtualDiyBase;
  readonly lidarPort: VirtualSerialPort;
  readonly basePort: VirtualSerialPort;
  /** the camera's capture program: hand `camera.launcher` to a CameraDriver */
  readonly camera: VirtualCamera;
  readonly rng: Rng;

  constructor(options: SimRobotOptions) {
    this.world = options.world;
    this.clock = options.clock;
    this.config = options.config ?? SIM_ROBOT_CONFIG;
    this.rng = new Rng(options.seed);
    this.bus = new VirtualSerialBus(this.clock);
    const { config, world } = this;

    this.body = new DiffDriveBody({
      world,
      rng: this.rng.fork(),
      geometry: {
        wheelBase: config.base.wheelBase,
        wheelDiameter: config.base.wheelDiameter,
        countsPerRevolution: config.base.countsPerRevolution,
      },
      radius: config.robotRadius,
      pose: { ...(options.start ?? world.spec.start) },
    });

    const mount = config.lidar.mount;
    const mountPose: Pose2D = { x: mount.x, y: mount.y, theta: mount.yaw };
    this.lidar = new VirtualRplidar({
      model: config.lidar.model,
      seed: this.rng.nextUint32(),
      rangeAt: (angle) => {
        const sensor = composePose(this.body.pose, mountPose);
        return world.raycast(sensor.x, sensor.y, mount.z, sensor.theta + angle, config.lidar.maxRange + 1);
      },
    });
    this.lidarPort = this.bus.connect(config.lidar.serial.path, this.lidar);

    this.base =
      config.base.type === 'create2' ? new VirtualCreate2(this.body) : new VirtualDiyBase(this.body);
    this.basePort = this.bus.connect(config.base.serial.path, this.base);

    this.camera = new VirtualCamera({
      world,
      clock: this.clock,
      camera: config.camera,
      robotPose: () => this.body.pose,
      seed: this.rng.nextUint32(),
    });

    const dt = 1 / (options.physicsRate ?? 200);
    world.setTime(this.clock.now());
    this.clock.setInterval(() => {
      const pose = this.body.pose;
      world.setKeepOut({ x: pose.x, y: pose.y, radius: this.body.radius + 0.03 });
      world.setTime(this.clock.now());
      this.body.step(dt);
    }, dt);
  }

  /**
   * The robot's real LIDAR and drive-base drivers, opening this robot's virtual ports exactly as they would
   * open /dev/rplidar and /dev/create2 on a Pi. Each call makes new drivers (a daemon restart).
   */
  connectDrivers(): { lidar: RplidarDriver; base: DriveBase } {
    const { config } = this;
    return {
      lidar: new RplidarDriver(config.lidar, this.bus.factory(config.lidar.serial.path), this.clock),
      base: createDriveBase(config.base, this.bus.factory, this.clock),
    };
  }

  /** Ground truth: the pose of base_link in the world frame. */
  truePose(): Pose2D {
    return { ...this.body.pose };
  }
}

/**
 * The simulated robot wandering on its own through the real drivers: RPLIDAR, drive base and camera drivers
 * on the virtual bus, with the reactive wander closing the loop from scans to wheel speeds. Used by the
 * capture command (which records what the sensors produce) and by the simulator benchmark.
 */
import { composePose, normalizeAngle, type Pose2D } from '../../../shared/geometry.ts';
import type { RobotConfig } from '../../../shared/config.ts';
import type { LaserScan, Odometry } from '../../../shared/sensors.ts';
import type { DriveBase } from '../../drivers/base.ts';
import { CameraDriver } from '../../drivers/camera/camera-driver.ts';
import type { RplidarDriver } from '../../drivers/rplidar/driver.ts';
import { SimulatedRobot, SIM_ROBOT_CONFIG } from '../sim-robot.ts';
import { VirtualClock } from '../virtual-clock.ts';
import { loadWorld } from '../world/load-world.ts';
import type { SimWorld } from '../world/sim-world.ts';
import { initialWander, stepWander, type PointCloud2D, type WanderState } from './wander.ts';

const CONTROL_PERIOD = 0.05;

export class WanderSession {
  readonly clock = new VirtualClock();
  readonly world: SimWorld;
  readonly robot: SimulatedRobot;
  readonly lidar: RplidarDriver;
  readonly base: DriveBase;
  readonly camera: CameraDriver;
  scans = 0;
  samples = 0;
  bumps = 0;
  odometryLatest: Odometry | undefined;
  private readonly scanListeners: Array<(scan: LaserScan) => void> = [];
  private readonly odometryListeners: Array<(odometry: Odometry) => void> = [];
  /** the newest scan's returns in base_link, for the wander */
  private readonly points: PointCloud2D = {
    xs: new Float32Array(20000),
    ys: new Float32Array(20000),
    count: 0,
  };
  private bumped = false;

  constructor(
    worldName: string,
    seed: number,
    readonly config: RobotConfig = SIM_ROBOT_CONFIG,
  ) {
    this.world = loadWorld(worldName);
    this.robot = new SimulatedRobot({ world: this.world, clock: this.clock, seed, config });
    ({ lidar: this.lidar, base: this.base } = this.robot.connectDrivers());
    this.camera = new CameraDriver({
      config: config.camera,
      clock: this.clock,
      launcher: this.robot.camera.launcher,
    });

    const mount: Pose2D = { x: config.lidar.mount.x, y: config.lidar.mount.y, theta: config.lidar.mount.yaw };
    this.lidar.onScan((scan) => {
      this.scans++;
      this.samples += scan.ranges.length;
      const points = this.points;
      points.count = 0;
      for (let i = 0; i < scan.ranges.length && points.count < points.xs.length; i++) {
        const range = scan.ranges[i]!;
        if (range <= 0) continue;
        const angle = scan.angles[i]!;
        const p = composePose(mount, { x: range * Math.cos(angle), y: range * Math.sin(angle), theta: 0 });
        points.xs[points.count] = p.x;
        points.ys[points.count] = p.y;
        points.count++;
      }
      for (const listener of this.scanListeners) listener(scan);
    });
    this.base.onOdometry((odometry) => {
      this.odometryLatest = odometry;
      for (const listener of this.odometryListeners) listener(odometry);
    });
    this.base.onSafety((s) => {
      const bumped = s.bumpLeft || s.bumpRight;
      if (bumped && !this.bumped) this.bumps++;
      this.bumped = bumped;
    });
  }

  onScan(listener: (scan: LaserScan) => void): void {
    this.scanListeners.push(listener);
  }

  onOdometry(listener: (odometry: Odometry) => void): void {
    this.odometryListeners.push(listener);
  }

  /** Connects the drivers and starts the wander. */
  async start(): Promise<void> {
    const baseStarted = this.base.start();
    const lidarStarted = this.lidar.start();
    if (this.config.camera.enabled) this.camera.start();
    await this.clock.advanceTo(this.clock.now() + 0.5);
    await baseStarted;
    // The RPLIDAR needs its motor spun up before the first scan; let the clock run while it does.
    let lidarUp = false;
    void lidarStarted.then(() => (lidarUp = true));
    while (!lidarUp && this.clock.now() < 5) await this.clock.advanceBy(0.1);
    await lidarStarted;

    let wander: WanderState = initialWander(this.clock.now());
    let turnStartTheta = 0;
    this.clock.setInterval(() => {
      const theta = this.odometryLatest?.theta ?? 0;
      const before = wander.mode;
      const out = stepWander(wander, {
        now: this.clock.now(),
        points: this.points,
        bumped: this.bumped,
        turnedSoFar: normalizeAngle(theta - turnStartTheta),
      });
      if (out.state.mode === 'turn' && before !== 'turn') turnStartTheta = theta;
      wander = out.state;
      this.base.drive(out.v, out.omega);
    }, CONTROL_PERIOD);
  }

  /** Runs until the clock reaches `until`, reporting progress every simulated second. */
  async runUntil(until: number, onProgress?: (t: number) => void): Promise<void> {
    for (let t = Math.floor(this.clock.now()) + 1; t < until + 1; t++) {
      await this.clock.advanceTo(Math.min(t, until));
      onProgress?.(Math.min(t, until));
    }
  }

  async stop(): Promise<void> {
    this.base.drive(0, 0);
    this.camera.stop();
    await Promise.all([this.lidar.stop(), this.base.stop(), this.clock.advanceBy(0.5)]);
  }
}

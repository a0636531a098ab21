/**
 * The simulated robot's body: a differential-drive disk with a true pose, moved by commanded wheel speeds
 * in fixed steps. Wheels accelerate at a limited rate and slip against the floor (seeded noise, worse on
 * carpet); the encoders count WHEEL rotation, so odometry drifts from the true pose as on a real robot.
 * Obstacles taller than a threshold block the disk (it stops or slides along them, never penetrates) and
 * press the bumper; lower ones (cables, rugs) are driven over. Every contact is reported.
 *
 * The body never reads a clock: whoever owns the simulation calls step(dt) from a clock interval (the
 * virtual devices only set wheel speeds and read sensors), and reads `pose` as ground truth.
 */
import type { Pose2D } from '../../shared/geometry.ts';
import { normalizeAngle } from '../../shared/geometry.ts';
import { metresPerCount, type WheelGeometry } from '../drivers/odometry.ts';
import type { Rng } from './rng.ts';
import type { SimWorldQuery, WorldContact } from './world-query.ts';
import { LIGHT_BUMPER_BEARINGS } from '../drivers/light-bumper.ts';

export interface DiffDriveBodyOptions {
  world: SimWorldQuery;
  rng: Rng;
  /** defaults: the Create 2 (0.235 m wheel base, 72 mm wheels, 508.8 counts per revolution) */
  geometry?: WheelGeometry;
  /** m, default 0.17 */
  radius?: number;
  /** m/s², how fast a wheel reaches its commanded speed; default 1.0 */
  maxWheelAccel?: number;
  /** slip on hard floors; default { std: 0.02, loss: 0 } */
  slip?: FloorSlip;
  /** slip by floor type name (SimWorldQuery.floorTypeAt); other floors use `slip`; default DEFAULT_FLOOR_SLIP */
  floorSlip?: Readonly<Record<string, FloorSlip>>;
  /** standard deviation of encoder noise in counts per step while a wheel turns; default 0.3 */
  countNoiseStd?: number;
  /** m, obstacles at least this tall block the body; lower ones are driven over; default 0.02 */
  blockingHeight?: number;
  /** m, how far the bumper shell travels before its switch closes; default 0.005 */
  bumperTravel?: number;
  /** m above the floor of the light-bumper beams; default 0.05 */
  lightBumperHeight?: number;
  /** m, light-bumper reach beyond the rim; default 0.1 */
  lightBumperRange?: number;
  /** start pose in the world frame; default the origin */
  pose?: Pose2D;
}

/** How a floor makes the wheels slip. */
export interface FloorSlip {
  /** standard deviation of the per-wheel, per-step ratio of ground speed to wheel speed */
  std: number;
  /** mean fraction of wheel travel lost (pile compresses under the wheel) */
  loss: number;
}

export const DEFAULT_FLOOR_SLIP: Readonly<Record<string, FloorSlip>> = {
  carpet: { std: 0.05, loss: 0.03 },
  rug: { std: 0.04, loss: 0.02 },
};

/** A contact as reported to mission metrics. */
export interface BodyContact {
  id: string;
  height: number;
  /** the obstacle's underside, m above the floor */
  bottom: number;
  moving: boolean;
  /** true if the obstacle blocked the body (taller than blockingHeight) */
  blocking: boolean;
  /** bearing of the contact relative to the heading, rad, counter-clockwise */
  relativeBearing: number;
}

const DEFAULT_GEOMETRY: WheelGeometry = {
  wheelBase: 0.235,
  wheelDiameter: 0.072,
  countsPerRevolution: 508.8,
};

/** Cliff sensor bearings relative to the heading: left, front-left, front-right, right (Create 2 layout). */
const CLIFF_BEARINGS = [1.05, 0.3, -0.3, -1.05] as const;
/** Contacts within this bearing of straight ahead press both bumper switches. */
const BUMPER_CENTRE_HALF_WIDTH = 0.26;
/** m of penetration tolerated as numerical noise */
const PENETRATION_TOLERANCE = 0.001;

export class DiffDriveBody {
  readonly radius: number;
  readonly geometry: WheelGeometry;
  /** true pose in the world frame (ground truth) */
  readonly pose: Pose2D;
  /** m of true path length travelled */
  odometer = 0;
  /** encoder counts accumulated from wheel rotation (not wrapped; devices wrap them to their width) */
  leftCounts = 0;
  rightCounts = 0;
  /** actual wheel surface speeds, m/s */
  leftSpeed = 0;
  rightSpeed = 0;
  bumpLeft = false;
  bumpRight = false;
  /** a wheel is over a cliff: the body is stuck on the edge and its wheels spin freely */
  wheelDropLeft = false;
  wheelDropRight = false;
  /** total steps in which a blocking obstacle stopped or deflected the motion */
  blockedSteps = 0;

  private readonly world: SimWorldQuery;
  private readonly rng: Rng;
  private readonly perCount: number;
  private readonly maxAccel: number;
  private readonly slip: FloorSlip;
  private readonly floorSlip: Readonly<Record<string, FloorSlip>>;
  private readonly countNoiseStd: number;
  private readonly blockingHeight: number;
  private readonly bumperTravel: number;
  private readonly lightHeight: number;
  private readonly lightRange: number;
  private commandLeft = 0;
  private commandRight = 0;
  private touching = new Set<string>();
  private readonly contactListeners: Array<(c: BodyContact) => void> = [];
  private current: BodyContact[] = [];
  /** cliff and light-bumper readings are computed on demand, once per pose */
  private sensorsDirty = true;
  private cliffs = 0;
  private light = 0;

  constructor(options: DiffDriveBodyOptions) {
    this.world = options.world;
    this.rng = options.rng;
    this.geometry = options.geometry ?? DEFAULT_GEOMETRY;
    this.radius = options.radius ?? 0.17;
    this.perCount = metresPerCount(this.geometry);
    this.maxAccel = options.maxWheelAccel ?? 1.0;
    this.slip = options.slip ?? { std: 0.02, loss: 0 };
    this.floorSlip = options.floorSlip ?? DEFAULT_FLOOR_SLIP;
    this.countNoiseStd = options.countNoiseStd ?? 0.3;
    this.blockingHeight = options.blockingHeight ?? 0.02;
    this.bumperTravel = options.bumperTravel ?? 0.005;
    this.lightHeight = options.lightBumperHeight ?? 0.05;
    this.lightRange = options.lightBumperRange ?? 0.1;
    const p = options.pose ?? { x: 0, y: 0, theta: 0 };
    this.pose = { x: p.x, y: p.y, theta: normalizeAngle(p.theta) };
    this.updateContacts();
  }

  /** Commands wheel surface speeds in m/s; the wheels get there at the acceleration limit. */
  setWheelSpeeds(left: number, right: number): void {
    this.commandLeft = Number.isFinite(left) ? left : 0;
    this.commandRight = Number.isFinite(right) ? right : 0;
  }

  /** The commanded wheel speeds, m/s. */
  commandedSpeeds(): { left: number; right: number } {
    return { left: this.commandLeft, right: this.commandRight };
  }

  /** Called once per obstacle when it starts touching the body (again). */
  onContact(listener: (contact: BodyContact) => void): void {
    this.contactListeners.push(listener);
  }

  /** Obstacles touching the body after the last step. */
  contacts(): readonly BodyContact[] {
    return this.current;
  }

  /** Cliff bits: 1 left, 2 front-left, 4 front-right, 8 right. */
  cliffBits(): number {
    this.refreshSensors();
    return this.cliffs;
  }

  /** Light-bumper bits: 1 left, 2 front-left, 4 centre-left, 8 centre-right, 16 front-right, 32 right. */
  lightBumperBits(): number {
    this.refreshSensors();
    return this.light;
  }

  /** Places the body (e.g. at a scenario's start); wheels stop. */
  teleport(pose: Pose2D): void {
    this.pose.x = pose.x;
    this.pose.y = pose.y;
    this.pose.theta = normalizeAngle(pose.theta);
    this.leftSpeed = this.rightSpeed = this.commandLeft = this.commandRight = 0;
    this.wheelDropLeft = this.wheelDropRight = false;
    this.sensorsDirty = true;
    this.updateContacts();
  }

  /** Advances the body by dt seconds. */
  step(dt: number): void {
    if (!(dt > 0)) return;
    const dv = this.maxAccel * dt;
    this.leftSpeed += Math.max(-dv, Math.min(dv, this.commandLeft - this.leftSpeed));
    this.rightSpeed += Math.max(-dv, Math.min(dv, this.commandRight - this.rightSpeed));

    // Encoders see the wheel, whatever the floor does.
    const l = this.leftSpeed;
    const r = this.rightSpeed;
    if (l !== 0) this.leftCounts += (l * dt) / this.perCount + this.rng.gaussian(0, this.countNoiseStd);
    if (r !== 0) this.rightCounts += (r * dt) / this.perCount + this.rng.gaussian(0, this.countNoiseStd);
    if ((l === 0 && r === 0) || this.wheelDropLeft || this.wheelDropRight) {
      // Standing still, the body can still be touched by moving obstacles.
      this.sensorsDirty = true;
      this.updateContacts();
      this.updateWheelDrops();
      return;
    }

    const floorType = this.world.floorTypeAt(this.pose.x, this.pose.y);
    const floor = Object.hasOwn(this.floorSlip, floorType) ? this.floorSlip[floorType]! : this.slip;
    const keep = 1 - floor.loss;
    const gl = l * (keep + this.rng.gaussian(0, floor.std));
    const gr = r * (keep + this.rng.gaussian(0, floor.std));
    const ds = ((gl + gr) / 2) * dt;
    const dtheta = ((gr - gl) / this.geometry.wheelBase) * dt;
    const mid = this.pose.theta + dtheta / 2;
    // A disk turns in place freely; only the translation can collide.
    this.pose.theta = normalizeAngle(this.pose.theta + dtheta);
    this.translate(ds * Math.cos(mid), ds * Math.sin(mid));
    this.sensorsDirty = true;
    this.updateContacts();
    this.updateWheelDrops();
  }

  /** Moves by (dx, dy) as far as blocking obstacles allow: straight, else sliding along them, else less. */
  private translate(dx: number, dy: number): void {
    const { x, y } = this.pose;
    const allowed = Math.max(this.blockingDepth(x, y), PENETRATION_TOLERANCE);
    const first = this.blockingAt(x + dx, y + dy);
    if (first.depth <= allowed) {
      this.moveTo(x + dx, y + dy);
      return;
    }
    this.blockedSteps++;
    // Remove the part of the motion that pushes into each blocking obstacle.
    let sx = dx;
    let sy = dy;
    for (const c of first.contacts) {
      const nx = Math.cos(c.bearing);
      const ny = Math.sin(c.bearing);
      const into = sx * nx + sy * ny;
      if (into > 0) {
        sx -= into * nx;
        sy -= into * ny;
      }
    }
    for (const scale of [1, 0.5, 0.25]) {
      if (this.blockingDepth(x + sx * scale, y + sy * scale) <= allowed) {
        this.moveTo(x + sx * scale, y + sy * scale);
        return;
      }
    }
    // Cover part of the way straight on, up to the obstacle.
    for (const scale of [0.5, 0.25, 0.125]) {
      if (this.blockingDepth(x + dx * scale, y + dy * scale) <= allowed) {
        this.moveTo(x + dx * scale, y + dy * scale);
        return;
      }
    }
  }

  private moveTo(x: number, y: number): void {
    this.odometer += Math.hypot(x - this.pose.x, y - this.pose.y);
    this.pose.x = x;
    this.pose.y = y;
  }

  private blockingAt(x: number, y: number): { depth: number; contacts: WorldContact[] } {
    const contacts = this.world.contacts(x, y, this.radius).filter((c) => c.height >= this.blockingHeight);
    let depth = 0;
    for (const c of contacts) depth = Math.max(depth, c.depth);
    return { depth, contacts };
  }

  private blockingDepth(x: number, y: number): number {
    return this.blockingAt(x, y).depth;
  }

  /** Bumpers and the contact report, from a disk enlarged by the bumper's travel. */
  private updateContacts(): void {
    const { x, y, theta } = this.pose;
    const found = this.world.contacts(x, y, this.radius + this.bumperTravel);
    let left = false;
    let right = false;
    const now = new Set<string>();
    const current: BodyContact[] = [];
    for (const c of found) {
      const blocking = c.height >= this.blockingHeight;
      const relativeBearing = normalizeAngle(c.bearing - theta);
      // The bumper shell covers the front half of the body.
      if (blocking && Math.abs(relativeBearing) <= Math.PI / 2) {
        if (relativeBearing >= -BUMPER_CENTRE_HALF_WIDTH) left = true;
        if (relativeBearing <= BUMPER_CENTRE_HALF_WIDTH) right = true;
      }
      const contact: BodyContact = {
        id: c.id,
        height: c.height,
        bottom: c.bottom,
        moving: c.moving,
        blocking,
        relativeBearing,
      };
      current.push(contact);
      now.add(c.id);
      if (!this.touching.has(c.id)) for (const listener of this.contactListeners) listener(contact);
    }
    this.touching = now;
    this.current = current;
    this.bumpLeft = left;
    this.bumpRight = right;
  }

  private updateWheelDrops(): void {
    const { x, y, theta } = this.pose;
    const half = this.geometry.wheelBase / 2;
    const s = Math.sin(theta);
    const c = Math.cos(theta);
    // Wheels sit on the axle line through the centre; y-left in the body frame.
    if (!this.wheelDropLeft) this.wheelDropLeft = this.world.isCliff(x - s * half, y + c * half);
    if (!this.wheelDropRight) this.wheelDropRight = this.world.isCliff(x + s * half, y - c * half);
  }

  private refreshSensors(): void {
    if (!this.sensorsDirty) return;
    this.sensorsDirty = false;
    const { x, y, theta } = this.pose;
    const rim = this.radius * 0.88;
    let cliffs = 0;
    for (let i = 0; i < CLIFF_BEARINGS.length; i++) {
      const a = theta + CLIFF_BEARINGS[i]!;
      if (this.world.isCliff(x + rim * Math.cos(a), y + rim * Math.sin(a))) cliffs |= 1 << i;
    }
    let light = 0;
    const reach = this.radius + this.lightRange;
    for (let i = 0; i < LIGHT_BUMPER_BEARINGS.length; i++) {
      const a = normalizeAngle(theta + LIGHT_BUMPER_BEARINGS[i]!);
      if (this.world.raycast(x, y, this.lightHeight, a, reach) <= reach) light |= 1 << i;
    }
    this.cliffs = cliffs;
    this.light = light;
  }
}

/**
 * What the virtual devices and the simulated body ask of a world. The world module implements it; the
 * devices never see world files, presets or geometry indexes.
 */

/** One obstacle touching a disk. */
export interface WorldContact {
  /** world-frame direction from the disk's centre to the contact point, rad */
  bearing: number;
  /** how far the obstacle reaches into the disk, m */
  depth: number;
  /** top of the obstacle, m above the floor (below the LIDAR plane means only the camera could see it) */
  height: number;
  /** its underside, m above the floor (0 for most; a bed's body or a shelf above the LIDAR plane is above it) */
  bottom: number;
  /** obstacle id in the world, e.g. "wall", "table-1", "shoe-3", "person-1" */
  id: string;
  moving: boolean;
}

export interface SimWorldQuery {
  /** Moves the moving obstacles to their positions at clock time t (seconds). */
  setTime(t: number): void;
  /**
   * Distance (m) along a horizontal ray from (x, y) at height z above the floor, heading `angle` (world
   * frame, rad, counter-clockwise), to the first surface it hits; Infinity if none within maxRange.
   */
  raycast(x: number, y: number, z: number, angle: number, maxRange: number): number;
  /** Every obstacle whose footprint overlaps the disk at (x, y) with the given radius, at any height. */
  contacts(x: number, y: number, radius: number): WorldContact[];
  /** True where there is no floor (a stair edge): cliff sensors trigger. */
  isCliff(x: number, y: number): boolean;
  /** Floor type name at (x, y), e.g. "wood", "carpet", "tile". */
  floorTypeAt(x: number, y: number): string;
}

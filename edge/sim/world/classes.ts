/**
 * Semantic classes of everything the simulator can show a camera, as stored in the per-pixel label image
 * and in ground-truth bounding boxes. The numeric value is the label byte; never renumber a class.
 */
export const WORLD_CLASSES = [
  'void', // nothing within range (open door into nowhere)
  'floor',
  'wall',
  'furniture', // solid blocks and cabinets
  'table',
  'chair',
  'sofa',
  'bed',
  'shoe',
  'toy',
  'cable',
  'sock',
  'box',
  'person',
  'pet',
  'cliff', // no floor: a stair edge
  'ceiling',
] as const;

export type WorldClass = (typeof WORLD_CLASSES)[number];

export const CLASS_ID: Readonly<Record<WorldClass, number>> = Object.freeze(
  Object.fromEntries(WORLD_CLASSES.map((name, i) => [name, i])) as Record<WorldClass, number>,
);

/** Classes a perception model is meant to find on the floor (below the LIDAR plane or moving). */
export const OBSTACLE_CLASSES: readonly WorldClass[] = [
  'shoe',
  'toy',
  'cable',
  'sock',
  'box',
  'person',
  'pet',
];

/** Base colours (sRGB) the camera renderer paints each class with; objects vary around them. */
export const CLASS_COLOUR: Readonly<Record<WorldClass, readonly [number, number, number]>> = Object.freeze({
  void: [20, 20, 24],
  floor: [150, 120, 90],
  wall: [222, 218, 206],
  furniture: [140, 110, 80],
  table: [160, 120, 75],
  chair: [90, 90, 100],
  sofa: [70, 95, 140],
  bed: [200, 190, 170],
  shoe: [40, 35, 30],
  toy: [220, 50, 40],
  cable: [15, 15, 15],
  sock: [235, 235, 235],
  box: [175, 140, 95],
  person: [60, 80, 130],
  pet: [185, 140, 80],
  cliff: [8, 8, 8],
  ceiling: [236, 236, 232],
});

/**
 * The iRobot Create 2's light bumper: six infrared proximity beams across the front of the bumper. Their
 * bearings (rad in base_link, counter-clockwise from ahead) in bit order — bit 0 left … bit 5 right, as
 * SafetyState.lightBumper holds them. The simulator's body casts its beams along these.
 */
export const LIGHT_BUMPER_BEARINGS: readonly number[] = [1.2, 0.7, 0.2, -0.2, -0.7, -1.2];

/**
 * The `office` preset, 20 × 15 m: three rows of desks on legs with chairs and cabinets, a lounge, a coffee
 * corner, a meeting room behind a door, cables and bags under the desks, three people walking. Built in
 * code because the desk rows repeat.
 */
import type { z } from 'zod';
import type { WorldSchema } from '../schema.ts';

type WorldInput = z.input<typeof WorldSchema>;
type FurnitureInput = NonNullable<WorldInput['furniture']>[number];
type LowInput = NonNullable<WorldInput['lowObstacles']>[number];

export function officeWorld(): WorldInput {
  const furniture: FurnitureInput[] = [];
  const lowObstacles: LowInput[] = [];

  // Desk rows: desks 1.4 × 0.7 m every 2 m along x, chairs south of each desk, a cabinet at the row end.
  const rowYs = [2.0, 4.4, 6.8];
  rowYs.forEach((y, row) => {
    for (let i = 0; i < 6; i++) {
      const x = 2.0 + 2.0 * i;
      furniture.push({
        id: `desk-${row + 1}-${i + 1}`,
        kind: 'table',
        x,
        y,
        width: 1.4,
        depth: 0.7,
        height: 0.74,
      });
      // Chairs are pushed in or left out at different angles.
      const out = ((row * 6 + i) % 3) * 0.1;
      furniture.push({
        id: `chair-${row + 1}-${i + 1}`,
        kind: 'chair',
        x: x + (i % 2 === 0 ? -0.15 : 0.15),
        y: y - 0.7 - out,
        width: 0.5,
        depth: 0.5,
        height: 0.47,
        rotation: ((i % 3) - 1) * 0.25,
      });
    }
    furniture.push({
      id: `cabinet-row-${row + 1}`,
      kind: 'cabinet',
      x: 13.3,
      y,
      width: 0.5,
      depth: 0.6,
      height: 1.2,
    });
    // A power cable runs under every row from the floor box to the desks.
    lowObstacles.push({
      id: `row-cable-${row + 1}`,
      kind: 'cable',
      shape: 'polyline',
      points: [
        [1.2, y + 0.25],
        [6.0, y + 0.2],
        [12.6, y + 0.25],
      ],
    });
  });
  lowObstacles.push(
    { id: 'bag-1', kind: 'box', x: 4.3, y: 2.1, width: 0.35, depth: 0.2, height: 0.09, rotation: 0.2 },
    { id: 'bag-2', kind: 'box', x: 9.7, y: 6.7, width: 0.3, depth: 0.25, height: 0.09, rotation: -0.3 },
    { id: 'shoe-1', kind: 'shoe', x: 7.9, y: 4.6, width: 0.29, depth: 0.1, height: 0.08, rotation: 1.2 },
    { id: 'shoe-2', kind: 'shoe', x: 8.1, y: 4.5, width: 0.29, depth: 0.1, height: 0.08, rotation: 1.0 },
    { id: 'toy-1', kind: 'toy', shape: 'circle', x: 5.5, y: 11.4, radius: 0.05, height: 0.06 },
    { id: 'sock-1', kind: 'sock', x: 16.5, y: 3.0, width: 0.2, depth: 0.07, height: 0.02, rotation: 0.4 },
  );

  // Filing cabinets along the north wall, structural columns, a lounge, a coffee corner.
  for (let i = 0; i < 6; i++)
    furniture.push({
      id: `filing-${i + 1}`,
      kind: 'cabinet',
      x: 5.5 + i * 0.55,
      y: 14.6,
      width: 0.5,
      depth: 0.6,
      height: 1.3,
    });
  furniture.push(
    { id: 'column-1', kind: 'solid', shape: 'circle', x: 7.0, y: 11.2, radius: 0.3, height: 3.0 },
    { id: 'column-2', kind: 'solid', shape: 'circle', x: 16.5, y: 5.0, radius: 0.3, height: 3.0 },
    {
      id: 'lounge-sofa',
      kind: 'sofa',
      x: 10.5,
      y: 12.5,
      width: 2.2,
      depth: 0.9,
      height: 0.8,
      clearance: 0.07,
    },
    { id: 'lounge-table', kind: 'table', x: 10.5, y: 11.3, width: 1.0, depth: 0.6, height: 0.4 },
    {
      id: 'lounge-armchair',
      kind: 'sofa',
      x: 12.4,
      y: 11.3,
      width: 0.8,
      depth: 0.8,
      height: 0.8,
      clearance: 0.11,
      rotation: 1.2,
    },
    { id: 'coffee-counter', kind: 'cabinet', x: 2.0, y: 14.6, width: 3.6, depth: 0.6, height: 0.9 },
    { id: 'fridge', kind: 'solid', x: 0.5, y: 12.6, width: 0.7, depth: 0.7, height: 1.8 },
    { id: 'cafe-table-1', kind: 'table', shape: 'circle', x: 2.0, y: 12.3, radius: 0.4, height: 0.75 },
    { id: 'cafe-table-2', kind: 'table', shape: 'circle', x: 3.6, y: 12.3, radius: 0.4, height: 0.75 },
    { id: 'printer', kind: 'solid', x: 16.5, y: 0.5, width: 0.8, depth: 0.6, height: 1.1 },
    // Meeting room (x 14–20, y 9–15): a long table on legs and eight chairs.
    { id: 'meeting-table', kind: 'table', x: 17.2, y: 12.0, width: 3.0, depth: 1.2, height: 0.75 },
  );
  for (let i = 0; i < 4; i++) {
    const x = 16.1 + i * 0.75;
    furniture.push({
      id: `meeting-chair-s${i + 1}`,
      kind: 'chair',
      x,
      y: 11.05,
      width: 0.48,
      depth: 0.48,
      height: 0.47,
    });
    furniture.push({
      id: `meeting-chair-n${i + 1}`,
      kind: 'chair',
      x,
      y: 12.95,
      width: 0.48,
      depth: 0.48,
      height: 0.47,
    });
  }

  return {
    name: 'office',
    description: 'open-plan office with desk rows, lounge, coffee corner and meeting room (20 × 15 m)',
    start: { x: 7.0, y: 8.5, theta: 0 },
    defaultFloor: 'carpet',
    walls: [
      {
        id: 'outer-wall',
        points: [
          [0, 0],
          [20, 0],
          [20, 15],
          [0, 15],
        ],
        closed: true,
        thickness: 0.25,
        height: 3.0,
      },
      {
        id: 'meeting-wall-s',
        points: [
          [14, 9],
          [20, 9],
        ],
        height: 3.0,
      },
      {
        id: 'meeting-wall-w-1',
        points: [
          [14, 9],
          [14, 10],
        ],
        height: 3.0,
      },
      {
        id: 'meeting-wall-w-2',
        points: [
          [14, 11.2],
          [14, 15],
        ],
        height: 3.0,
      },
    ],
    furniture,
    lowObstacles,
    floors: [
      {
        type: 'tile',
        polygon: [
          [0, 11],
          [4.6, 11],
          [4.6, 15],
          [0, 15],
        ],
      },
      {
        type: 'wood',
        polygon: [
          [14, 9],
          [20, 9],
          [20, 15],
          [14, 15],
        ],
      },
      {
        type: 'rug',
        polygon: [
          [9.2, 10.7],
          [13.0, 10.7],
          [13.0, 13.2],
          [9.2, 13.2],
        ],
      },
    ],
    movingObstacles: [
      {
        id: 'person-1',
        kind: 'person',
        radius: 0.25,
        height: 1.75,
        speed: 1.0,
        mode: 'pingpong',
        path: [
          [1.0, 2.75],
          [13.85, 2.75],
          [13.85, 8.2],
          [15.5, 8.2],
        ],
      },
      {
        id: 'person-2',
        kind: 'person',
        radius: 0.25,
        height: 1.65,
        speed: 0.7,
        mode: 'pingpong',
        startDelay: 10,
        path: [
          [13.2, 10.5],
          [15.0, 10.6],
          [16.0, 10.3],
        ],
      },
      {
        id: 'person-3',
        kind: 'person',
        radius: 0.25,
        height: 1.8,
        speed: 0.9,
        mode: 'loop',
        path: [
          [5.5, 8.2],
          [12.5, 8.2],
          [12.8, 9.8],
          [5.5, 9.8],
        ],
      },
    ],
  };
}

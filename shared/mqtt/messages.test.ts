import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createGrid } from '../occupancy-grid.ts';
import { decodeDeflate, decodeRle, encodeRle, gridFromSnapshot, snapshotFromGrid } from './map-codec.ts';
import {
  CommandReplySchema,
  CommandRequestSchema,
  EventMessageSchema,
  MapSnapshotSchema,
  StatusMessageSchema,
  TelemetryMessageSchema,
  telemetrySchemaFor,
} from './messages.ts';

const record = { bootId: 'boot-0001', seq: 3, time: 1_700_000_000.25 };
const state = {
  stream: 'state',
  ...record,
  pose: { x: 1, y: 2, theta: 0.5 },
  missionState: 'covering',
  coverage: 0.4,
  batteryPercent: 75,
  batteryVoltage: 14.2,
  linearSpeed: 0.2,
  angularSpeed: -0.1,
};

test('valid payloads of every kind parse', () => {
  StatusMessageSchema.parse({ ...record, state: 'online', firmware: 'create2', version: '0.1.0' });
  TelemetryMessageSchema.parse(state);
  TelemetryMessageSchema.parse({ ...state, cpuTemp: 55, values: { 'wheel.left.current': 0.4 } });
  TelemetryMessageSchema.parse({ stream: 'power', ...record, values: { current: 1.2 } });
  EventMessageSchema.parse({
    ...record,
    level: 'error',
    type: 'bumper.stuck',
    message: 'stuck',
    data: { n: 1 },
  });
  CommandRequestSchema.parse({ id: 'abcdefgh12', name: 'start', issuedAt: 1, expiresAt: 11 });
  CommandReplySchema.parse({ ...record, id: 'abcdefgh12', ok: false, error: 'docked' });
});

test('malformed payloads are refused with the field named', () => {
  const fails = (
    schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[] }[] } } },
    value: unknown,
    field: string,
  ) => {
    const r = schema.safeParse(value);
    assert.equal(r.success, false, JSON.stringify(value));
    assert.equal(r.error!.issues[0]!.path.join('.'), field);
  };
  fails(telemetrySchemaFor('state'), { ...state, coverage: 1.5 }, 'coverage');
  fails(telemetrySchemaFor('state'), { ...state, seq: -1 }, 'seq');
  fails(telemetrySchemaFor('state'), { ...state, bootId: undefined }, 'bootId');
  fails(telemetrySchemaFor('power'), { stream: 'power', ...record, values: { a: 'high' } }, 'values.a');
  assert.equal(TelemetryMessageSchema.safeParse({ ...state, coverage: 1.5 }).success, false);
  fails(StatusMessageSchema, { ...record, state: 'maybe', firmware: 'x', version: 'y' }, 'state');
  fails(EventMessageSchema, { ...record, level: 'info', type: 'Bad Type', message: '' }, 'type');
  fails(CommandRequestSchema, { id: 'abcdefgh12', name: 'dance', issuedAt: 1, expiresAt: 2 }, 'name');
  // Strict objects: an unknown field is an error, so a typo cannot pass silently.
  assert.equal(
    StatusMessageSchema.safeParse({ ...record, state: 'online', firmware: 'x', version: 'y', extra: 1 })
      .success,
    false,
  );
  // A generic stream cannot impersonate the state stream's schema.
  assert.equal(
    TelemetryMessageSchema.safeParse({ stream: 'state', ...record, values: { a: 1 } }).success,
    false,
  );
});

test('map snapshots round-trip through RLE and deflate', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 40 }),
      fc.array(fc.constantFrom(-1, 0, 100, 50), { minLength: 1, maxLength: 1600 }),
      fc.constantFrom('rle' as const, 'deflate' as const),
      (w, h, values, encoding) => {
        const grid = createGrid({ width: w, height: h, resolution: 0.05, origin: { x: -1, y: 2, theta: 0 } });
        for (let i = 0; i < grid.data.length; i++) grid.data[i] = values[i % values.length]!;
        const snapshot = MapSnapshotSchema.parse(
          JSON.parse(
            JSON.stringify(snapshotFromGrid(grid, { ...record, pose: { x: 0, y: 0, theta: 1 } }, encoding)),
          ),
        );
        const back = gridFromSnapshot(snapshot);
        assert.ok(back);
        assert.deepEqual(back.data, grid.data);
        assert.deepEqual(back.origin, grid.origin);
      },
    ),
    { numRuns: 60 },
  );
});

test('map decoders return null on bad cells instead of throwing', () => {
  assert.equal(decodeRle([0, 5], 4), null);
  assert.equal(decodeRle([0, 2], 4), null);
  assert.equal(decodeRle([0], 1), null);
  assert.equal(decodeRle([300, 1], 1), null);
  assert.equal(decodeRle([0, -1, 0, 2], 1), null);
  assert.deepEqual(decodeRle(encodeRle(Int8Array.from([1, 1, -1])), 3), Int8Array.from([1, 1, -1]));
  assert.equal(decodeDeflate('not base64 deflate', 4), null);
  const snapshot = MapSnapshotSchema.parse({
    ...record,
    resolution: 0.05,
    width: 2,
    height: 2,
    origin: { x: 0, y: 0, theta: 0 },
    encoding: 'rle',
    cells: [0, 3],
  });
  assert.equal(gridFromSnapshot(snapshot), null);
  assert.equal(
    MapSnapshotSchema.safeParse({ ...snapshot, encoding: 'deflate' }).success,
    false,
    'an RLE array labelled deflate is refused',
  );
});

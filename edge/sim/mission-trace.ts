/**
 * A simulated mission as an MCAP file for Foxglove: the robot's true pose and the daemon's estimate of it
 * (both in the world frame), what its control loop did (task, safety gate verdict, command sent), and the
 * mission log with the simulator's contacts. Scrubbing through a run in Foxglove shows where the estimate
 * left the truth and what the robot was doing when it bumped or wedged, without re-running the mission
 * with a probe.
 *
 * Messages are JSON with Foxglove's well-known schemas (foxglove.PoseInFrame, foxglove.Log; the control
 * snapshot has its own, swath.ControlSnapshot), written in chunks with an index and statistics. The
 * recorder only collects; the file is written once at the end.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { McapIndexedReader, McapWriter, type IWritable } from '@mcap/core';
import type { Pose2D } from '../../shared/geometry.ts';
import type { ControlSnapshot, DaemonEvent } from '../daemon/daemon.ts';

/** Topics of the trace, each with the Foxglove schema of its messages. */
export const TRACE_TOPICS = {
  truth: '/sim/true_pose',
  estimate: '/robot/estimated_pose',
  control: '/robot/control',
  log: '/mission/log',
} as const;

/** The world frame's name in the trace. */
export const WORLD_FRAME = 'world';

const TIME_SCHEMA = {
  type: 'object',
  properties: { sec: { type: 'integer', minimum: 0 }, nsec: { type: 'integer', minimum: 0 } },
};

const POSE_IN_FRAME_SCHEMA = {
  title: 'foxglove.PoseInFrame',
  type: 'object',
  properties: {
    timestamp: TIME_SCHEMA,
    frame_id: { type: 'string' },
    pose: {
      type: 'object',
      properties: {
        position: {
          type: 'object',
          properties: { x: { type: 'number' }, y: { type: 'number' }, z: { type: 'number' } },
        },
        orientation: {
          type: 'object',
          properties: {
            x: { type: 'number' },
            y: { type: 'number' },
            z: { type: 'number' },
            w: { type: 'number' },
          },
        },
      },
    },
  },
};

const LOG_SCHEMA = {
  title: 'foxglove.Log',
  type: 'object',
  properties: {
    timestamp: TIME_SCHEMA,
    level: { type: 'integer', description: '0 unknown, 1 debug, 2 info, 3 warning, 4 error, 5 fatal' },
    message: { type: 'string' },
    name: { type: 'string' },
    file: { type: 'string' },
    line: { type: 'integer', minimum: 0 },
  },
};

const CONTROL_SCHEMA = {
  title: 'swath.ControlSnapshot',
  description:
    "the control loop's last tick: mission mode, task, follower status, safety gate verdict, command sent",
  type: 'object',
  properties: {
    timestamp: TIME_SCHEMA,
    mode: { type: 'string' },
    task: { type: 'string' },
    follower: { type: 'string' },
    gate_action: { type: 'string' },
    gate_reason: { type: 'string' },
    v: { type: 'number', description: 'm/s sent to the base' },
    omega: { type: 'number', description: 'rad/s sent to the base' },
    bump_marks: { type: 'integer' },
  },
};

/** foxglove.Log levels */
const LOG_LEVEL = { info: 2, warn: 3, error: 4 } as const;

/** Clock seconds as MCAP nanoseconds. */
const nanoseconds = (time: number): bigint => BigInt(Math.round(time * 1e9));

/** Clock seconds as a Foxglove time. */
function timestamp(time: number): { sec: number; nsec: number } {
  const ns = nanoseconds(time);
  return { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

function poseInFrame(time: number, pose: Pose2D) {
  return {
    timestamp: timestamp(time),
    frame_id: WORLD_FRAME,
    // 0.1 mm and 1e-6 (a few µrad) are finer than anything simulated, and keep the file a third smaller.
    pose: {
      position: { x: round(pose.x, 4), y: round(pose.y, 4), z: 0 },
      // A rotation by θ about z.
      orientation: {
        x: 0,
        y: 0,
        z: round(Math.sin(pose.theta / 2), 6),
        w: round(Math.cos(pose.theta / 2), 6),
      },
    },
  };
}

function logMessage(e: DaemonEvent) {
  return {
    timestamp: timestamp(e.time),
    level: LOG_LEVEL[e.level],
    message: e.message,
    name: e.type,
    file: '',
    line: 0,
  };
}

function controlMessage(time: number, c: ControlSnapshot) {
  return {
    timestamp: timestamp(time),
    mode: c.mode,
    task: c.task,
    follower: c.follower ?? '',
    gate_action: c.gate?.action ?? '',
    gate_reason: c.gate?.reason ?? '',
    v: round(c.sent.v, 4),
    omega: round(c.sent.omega, 4),
    bump_marks: c.bumpMarks,
  };
}

type Topic = keyof typeof TRACE_TOPICS;

/** Collects a mission's poses and control snapshots, then writes them with its events as one MCAP file. */
export class MissionTrace {
  private readonly messages: Array<{ time: number; topic: Topic; body: unknown }> = [];

  addTruth(time: number, pose: Pose2D): void {
    this.messages.push({ time, topic: 'truth', body: poseInFrame(time, pose) });
  }

  addEstimate(time: number, pose: Pose2D): void {
    this.messages.push({ time, topic: 'estimate', body: poseInFrame(time, pose) });
  }

  addControl(time: number, snapshot: ControlSnapshot): void {
    this.messages.push({ time, topic: 'control', body: controlMessage(time, snapshot) });
  }

  /** Writes the trace with `events` (the mission log) to `path`. */
  async write(path: string, events: readonly DaemonEvent[]): Promise<void> {
    const fd = openSync(path, 'w');
    try {
      const writer = new McapWriter({
        writable: new FileWritable(fd),
        useStatistics: true,
        useChunks: true,
        useChunkIndex: true,
        useMessageIndex: true,
      });
      await writer.start({ profile: '', library: 'swath' });
      const encoder = new TextEncoder();
      const encode = (value: unknown) => encoder.encode(JSON.stringify(value));
      const schema = (name: string, body: unknown) =>
        writer.registerSchema({ name, encoding: 'jsonschema', data: encode(body) });
      const poseSchema = await schema('foxglove.PoseInFrame', POSE_IN_FRAME_SCHEMA);
      const logSchema = await schema('foxglove.Log', LOG_SCHEMA);
      const controlSchema = await schema('swath.ControlSnapshot', CONTROL_SCHEMA);
      const channel = (topic: Topic, schemaId: number) =>
        writer.registerChannel({
          topic: TRACE_TOPICS[topic],
          schemaId,
          messageEncoding: 'json',
          metadata: new Map(),
        });
      const channels: Record<Topic, number> = {
        truth: await channel('truth', poseSchema),
        estimate: await channel('estimate', poseSchema),
        control: await channel('control', controlSchema),
        log: await channel('log', logSchema),
      };
      // One stream in clock order, as a recording made live would be.
      const messages = [
        ...this.messages,
        ...events.map((e) => ({ time: e.time, topic: 'log' as const, body: logMessage(e) })),
      ].sort((a, b) => a.time - b.time);
      const sequence: Record<Topic, number> = { truth: 0, estimate: 0, control: 0, log: 0 };
      for (const m of messages) {
        const ns = nanoseconds(m.time);
        await writer.addMessage({
          channelId: channels[m.topic],
          sequence: ++sequence[m.topic],
          logTime: ns,
          publishTime: ns,
          data: encode(m.body),
        });
      }
      await writer.end();
    } finally {
      closeSync(fd);
    }
  }
}

/** An MCAP writable over an open file descriptor. */
class FileWritable implements IWritable {
  private offset = 0n;

  constructor(private readonly fd: number) {}

  write(buffer: Uint8Array): Promise<unknown> {
    let done = 0;
    while (done < buffer.length) done += writeSync(this.fd, buffer, done, buffer.length - done);
    this.offset += BigInt(buffer.length);
    return Promise.resolve();
  }

  position(): bigint {
    return this.offset;
  }
}

/**
 * Every message of a trace (or any MCAP file of JSON messages), decoded, by topic, in log-time order; the
 * CRCs are checked.
 */
export async function readMissionTrace(
  path: string,
): Promise<Map<string, Array<{ time: number; message: unknown }>>> {
  const bytes = readFileSync(path);
  const reader = await McapIndexedReader.Initialize({
    readable: {
      size: () => Promise.resolve(BigInt(bytes.length)),
      read: (offset, size) => Promise.resolve(bytes.subarray(Number(offset), Number(offset + size))),
    },
  });
  const byTopic = new Map<string, Array<{ time: number; message: unknown }>>();
  const decoder = new TextDecoder();
  for await (const m of reader.readMessages({ validateCrcs: true })) {
    const topic = reader.channelsById.get(m.channelId)?.topic ?? String(m.channelId);
    let list = byTopic.get(topic);
    if (!list) byTopic.set(topic, (list = []));
    list.push({ time: Number(m.logTime) / 1e9, message: JSON.parse(decoder.decode(m.data)) as unknown });
  }
  return byTopic;
}

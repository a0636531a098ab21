/** The rpicam-vid command line for a raw I420 stream on stdout (an argument array: spawned without a shell). */
import type { CameraConfig } from '../../../shared/config.ts';

export function rpicamArgs(
  config: Pick<CameraConfig, 'width' | 'height' | 'framerate' | 'sensorMode'>,
): string[] {
  const args = [
    '-n', // no preview window
    '-t',
    '0', // run until killed (the default stops after 5 s)
    '--codec',
    'yuv420',
    '--width',
    String(config.width),
    '--height',
    String(config.height),
    '--framerate',
    String(config.framerate),
    '--flush', // write each frame out as soon as it is ready
  ];
  // A pinned sensor mode keeps the field of view, and so the intrinsics, independent of the output size.
  if (config.sensorMode) args.push('--mode', config.sensorMode);
  args.push('-o', '-');
  return args;
}

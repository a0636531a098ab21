/** A progress bar on stderr when it is a terminal; silent otherwise (CI logs, pipes). */
import cliProgress from 'cli-progress';

export interface Progress {
  update(value: number): void;
  stop(): void;
}

export function progressBar(label: string, total: number, unit: string): Progress {
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | eta {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.round(total), 0);
  return {
    update: (value) => bar.update(Math.round(value)),
    stop: () => bar.stop(),
  };
}

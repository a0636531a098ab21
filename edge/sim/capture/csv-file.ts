/**
 * An append-only CSV file with a write buffer. Numbers are written with a fixed number of decimals per
 * column, so two runs of the same simulation produce byte-identical files.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export type Column = { name: string; decimals?: number };

const FLUSH_AT = 1 << 20;

export class CsvFile {
  private readonly fd: number;
  private chunks: string[] = [];
  private pending = 0;
  rows = 0;

  constructor(
    readonly path: string,
    private readonly columns: readonly Column[],
  ) {
    this.fd = openSync(path, 'w');
    this.push(`${columns.map((c) => c.name).join(',')}\n`);
  }

  row(values: ReadonlyArray<number | string>): void {
    if (values.length !== this.columns.length) {
      throw new Error(`${this.path}: ${values.length} values for ${this.columns.length} columns`);
    }
    let line = '';
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      const d = this.columns[i]!.decimals;
      if (i > 0) line += ',';
      line += typeof v === 'number' && d !== undefined ? v.toFixed(d) : String(v);
    }
    this.push(`${line}\n`);
    this.rows++;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private push(text: string): void {
    this.chunks.push(text);
    this.pending += text.length;
    if (this.pending >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.chunks.length === 0) return;
    writeSync(this.fd, this.chunks.join(''));
    this.chunks = [];
    this.pending = 0;
  }
}

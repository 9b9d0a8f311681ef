/**
 * The native Rust baseline (`crates/bench-native`): the same `permafrost-core` calls the
 * addon makes, without Node in between. It is built with the same release profile as the
 * addon (`cargo build --release -p permafrost-bench-native`), started once per bench module
 * in `serve` mode, and driven sample by sample, so it is interleaved with the JS subjects
 * under one repetition scheme. It times itself; pipe latency is not measured.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Subject } from './harness';

const ROOT = join(__dirname, '..');

/** Ops the binary knows (see crates/bench-native/src/main.rs). */
export type NativeOp = 'crc32' | 'lz4_compress_into' | 'lz4_compress' | 'lz4_decompress_into';

interface Answer {
  readonly error?: string;
  readonly ns?: number;
  readonly check?: number;
  readonly bytes?: number;
  readonly compressed?: number;
}

export class NativeBaseline {
  readonly #child: ChildProcessByStdio<Writable, Readable, null>;
  readonly #lines: Interface;
  readonly #pending: Array<(line: string) => void> = [];
  readonly #dir = mkdtempSync(join(tmpdir(), 'permafrost-bench-'));
  #loaded = 0;

  private constructor(binary: string) {
    this.#child = spawn(binary, ['serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.#lines = createInterface({ input: this.#child.stdout });
    this.#lines.on('line', (line) => this.#pending.shift()?.(line));
  }

  /** Builds and starts the baseline, or returns undefined (with a warning) if cargo fails. */
  static start(): NativeBaseline | undefined {
    const build = spawnSync(process.env['CARGO'] ?? 'cargo', ['build', '--release', '--locked', '-p', 'permafrost-bench-native'], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (build.error !== undefined || build.status !== 0) {
      console.warn(`native baseline unavailable (cargo build failed: ${build.error?.message ?? `exit ${build.status}`})`);
      return undefined;
    }
    const targetDir = process.env['CARGO_TARGET_DIR'] ?? join(ROOT, 'target');
    const exe = process.platform === 'win32' ? '.exe' : '';
    return new NativeBaseline(join(targetDir, 'release', `permafrost-bench-native${exe}`));
  }

  async #request(command: string): Promise<Answer> {
    const line = await new Promise<string>((resolve, reject) => {
      const onExit = (): void => reject(new Error(`permafrost-bench-native exited during ${command}`));
      this.#child.once('exit', onExit);
      this.#pending.push((answer) => {
        this.#child.off('exit', onExit);
        resolve(answer);
      });
      this.#child.stdin.write(`${command}\n`);
    });
    const answer = JSON.parse(line) as Answer;
    if (answer.error !== undefined) throw new Error(`permafrost-bench-native: ${answer.error}`);
    return answer;
  }

  /**
   * Hands `bytes` to the baseline (through a temporary file, so both sides see the same
   * bytes); returns the name to use in `subject`, and the length of lz4_flex's block.
   */
  async load(bytes: Uint8Array): Promise<{ name: string; compressed: number }> {
    const name = `d${(this.#loaded += 1)}`;
    const file = join(this.#dir, `${name}.bin`);
    writeFileSync(file, bytes);
    const answer = await this.#request(`load ${name} ${file}`);
    rmSync(file);
    return { name, compressed: answer.compressed ?? -1 };
  }

  /** A subject that runs `op` on loaded data `name` in the native process. */
  subject(label: string, op: NativeOp, name: string): Subject {
    return {
      name: label,
      sample: async (iterations) => (await this.#request(`sample ${op} ${name} ${iterations}`)).ns ?? 0,
    };
  }

  async close(): Promise<void> {
    this.#child.stdin.end('quit\n');
    this.#lines.close();
    await new Promise<void>((resolve) => {
      if (this.#child.exitCode !== null) resolve();
      else this.#child.once('exit', () => resolve());
    });
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

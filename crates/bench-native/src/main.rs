//! The native baseline of `npm run bench`: the same `permafrost-core` calls the Node addon
//! makes, timed without Node in between. The TypeScript harness drives it so that both sides
//! use one repetition scheme and are measured interleaved in the same run.
//!
//! Modes:
//! - `serve`: a line protocol on stdin/stdout, one JSON object answered per command:
//!   - `load <name> <path>` reads a data buffer from a file (the harness writes the exact
//!     bytes it benchmarks); answers `{"name","bytes","compressed"}`;
//!   - `sample <op> <name> <iterations>` runs `op` on that buffer `iterations` times and
//!     answers `{"ns","check"}` (`check` is a value derived from the results, printed so the
//!     work cannot be optimised away, and comparable with the JS side);
//!   - `quit`.
//! - `report <file>...`: calibrates, warms up and prints the median of 5 samples for every
//!   op on every file, as one JSON object per line (for use without Node).
//!
//! Ops: `crc32`, `lz4_compress_into` (reused output buffer), `lz4_compress` (allocating),
//! `lz4_decompress_into` (reused output buffer, decompressing `lz4_compress`'s output).

use std::collections::HashMap;
use std::hint::black_box;
use std::io::{self, BufRead, Write};
use std::ops::Range;
use std::time::{Duration, Instant};

use permafrost_core::{checksum, lz4_block};

#[derive(Clone, Copy)]
enum Op {
    Crc32,
    Lz4CompressInto,
    Lz4Compress,
    Lz4DecompressInto,
}

const OPS: [(&str, Op); 4] = [
    ("crc32", Op::Crc32),
    ("lz4_compress_into", Op::Lz4CompressInto),
    ("lz4_compress", Op::Lz4Compress),
    ("lz4_decompress_into", Op::Lz4DecompressInto),
];

fn parse_op(name: &str) -> Result<Op, String> {
    OPS.iter()
        .find(|(known, _)| *known == name)
        .map(|(_, op)| *op)
        .ok_or_else(|| {
            let known: Vec<&str> = OPS.iter().map(|(known, _)| *known).collect();
            format!("unknown op {name:?}; known: {}", known.join(", "))
        })
}

/// Where one input's buffers sit in its arena. Every source starts at a multiple of 4096
/// from the arena's start and its destination 2048 bytes past a multiple of 4096, so
/// `(dst - src) mod 4096` is 2048 here and in the TypeScript harness (`bench/layout.ts`):
/// the speed of a long memcpy (the literal copies of an incompressible block) depends on
/// that distance on some CPUs, by up to 10x, and both sides must see the same one.
struct Layout {
    raw: Range<usize>,
    compress_out: Range<usize>,
    compressed: Range<usize>,
    decompress_out: Range<usize>,
}

fn page_up(offset: usize) -> usize {
    offset.div_ceil(4096) * 4096
}

impl Layout {
    fn new(raw_len: usize, bound: usize, compressed_len: usize) -> Self {
        let raw = 0..raw_len;
        let compress_out = page_up(raw.end) + 2048;
        let compress_out = compress_out..compress_out + bound;
        let compressed = page_up(compress_out.end);
        let compressed = compressed..compressed + compressed_len;
        let decompress_out = page_up(compressed.end) + 2048;
        let decompress_out = decompress_out..decompress_out + raw_len;
        Self {
            raw,
            compress_out,
            compressed,
            decompress_out,
        }
    }
}

/// One benchmark input: the raw bytes, their LZ4 block and the output buffers, in one arena.
struct Data {
    arena: Vec<u8>,
    layout: Layout,
}

/// `(source, destination)` from two ranges of `arena` where `source` comes first.
fn split<'a>(
    arena: &'a mut [u8],
    source: &Range<usize>,
    destination: &Range<usize>,
) -> (&'a [u8], &'a mut [u8]) {
    let (head, tail) = arena.split_at_mut(destination.start);
    let destination_len = destination.end - destination.start;
    (
        head.get(source.clone()).unwrap_or_default(),
        tail.get_mut(..destination_len).unwrap_or_default(),
    )
}

impl Data {
    fn new(raw: &[u8]) -> Self {
        let compressed = lz4_block::compress(raw);
        let layout = Layout::new(
            raw.len(),
            lz4_block::compress_bound(raw.len()),
            compressed.len(),
        );
        let mut arena = vec![0u8; layout.decompress_out.end];
        for (range, bytes) in [
            (&layout.raw, raw),
            (&layout.compressed, compressed.as_slice()),
        ] {
            if let Some(slot) = arena.get_mut(range.clone()) {
                slot.copy_from_slice(bytes);
            }
        }
        Self { arena, layout }
    }

    fn raw(&self) -> &[u8] {
        self.arena.get(self.layout.raw.clone()).unwrap_or_default()
    }

    fn compressed_len(&self) -> usize {
        self.layout.compressed.len()
    }

    /// Runs `op` once; returns a small value derived from the result.
    fn run_once(&mut self, op: Op) -> Result<u64, String> {
        match op {
            Op::Crc32 => Ok(u64::from(checksum::crc32(black_box(self.raw()), 0))),
            Op::Lz4CompressInto => {
                let (src, dst) =
                    split(&mut self.arena, &self.layout.raw, &self.layout.compress_out);
                lz4_block::compress_into(black_box(src), dst)
                    .map(|n| n as u64)
                    .map_err(|e| e.to_string())
            }
            Op::Lz4Compress => Ok(lz4_block::compress(black_box(self.raw())).len() as u64),
            Op::Lz4DecompressInto => {
                let (src, dst) = split(
                    &mut self.arena,
                    &self.layout.compressed,
                    &self.layout.decompress_out,
                );
                lz4_block::decompress_into(black_box(src), dst).map_err(|e| e.to_string())?;
                Ok(u64::from(dst.last().copied().unwrap_or(0)))
            }
        }
    }

    /// Runs `op` `iterations` times; returns the elapsed time and the wrapping sum of the results.
    fn sample(&mut self, op: Op, iterations: u64) -> Result<(Duration, u64), String> {
        let mut check = 0u64;
        let start = Instant::now();
        for _ in 0..iterations {
            check = check.wrapping_add(black_box(self.run_once(op)?));
        }
        Ok((start.elapsed(), check))
    }
}

fn load(path: &str) -> Result<Data, String> {
    std::fs::read(path)
        .map(|raw| Data::new(&raw))
        .map_err(|e| format!("cannot read {path}: {e}"))
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn handle(line: &str, data: &mut HashMap<String, Data>) -> Result<Option<String>, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        ["load", name, path] => {
            let loaded = load(path)?;
            let answer = format!(
                "{{\"name\":{},\"bytes\":{},\"compressed\":{}}}",
                json_string(name),
                loaded.raw().len(),
                loaded.compressed_len()
            );
            data.insert((*name).to_owned(), loaded);
            Ok(Some(answer))
        }
        ["sample", op, name, iterations] => {
            let iterations: u64 = iterations
                .parse()
                .map_err(|_| format!("bad iteration count {iterations:?}"))?;
            let entry = data
                .get_mut(*name)
                .ok_or_else(|| format!("no data named {name:?} was loaded"))?;
            let (elapsed, check) = entry.sample(parse_op(op)?, iterations)?;
            Ok(Some(format!(
                "{{\"ns\":{},\"check\":{check}}}",
                elapsed.as_nanos()
            )))
        }
        ["quit"] => Ok(None),
        _ => Err(format!("unknown command {line:?}")),
    }
}

fn serve() -> io::Result<()> {
    let mut data = HashMap::new();
    let stdin = io::stdin();
    let mut stdout = io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = match handle(&line, &mut data) {
            Ok(Some(answer)) => answer,
            Ok(None) => return Ok(()),
            Err(message) => format!("{{\"error\":{}}}", json_string(&message)),
        };
        writeln!(stdout, "{answer}")?;
        stdout.flush()?;
    }
    Ok(())
}

/// Doubles the iteration count until one sample takes at least `target`.
fn calibrate(entry: &mut Data, op: Op, target: Duration) -> Result<u64, String> {
    let mut iterations = 1u64;
    loop {
        let (elapsed, _) = entry.sample(op, iterations)?;
        if elapsed >= target / 4 {
            let scale = target.as_secs_f64() / elapsed.as_secs_f64().max(1e-9);
            return Ok(((iterations as f64) * scale).ceil().max(1.0) as u64);
        }
        iterations *= 2;
    }
}

fn report(paths: &[String]) -> Result<(), String> {
    const RUNS: usize = 5;
    for path in paths {
        let mut entry = load(path)?;
        for (name, op) in OPS {
            let iterations = calibrate(&mut entry, op, Duration::from_millis(20))?;
            entry.sample(op, iterations)?; // warm-up
            let mut rates = Vec::with_capacity(RUNS);
            for _ in 0..RUNS {
                let (elapsed, _) = entry.sample(op, iterations)?;
                rates.push(
                    (entry.raw().len() as f64) * (iterations as f64) / elapsed.as_secs_f64() / 1e6,
                );
            }
            rates.sort_by(f64::total_cmp);
            let median = rates.get(RUNS / 2).copied().unwrap_or(0.0);
            println!(
                "{{\"file\":{},\"op\":{},\"bytes\":{},\"iterations\":{iterations},\"medianMBps\":{median:.1}}}",
                json_string(path),
                json_string(name),
                entry.raw().len()
            );
        }
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.split_first() {
        Some((mode, [])) if mode == "serve" => serve().map_err(|e| e.to_string()),
        Some((mode, files)) if mode == "report" && !files.is_empty() => report(files),
        _ => Err("usage: permafrost-bench-native serve | report <file>...".to_owned()),
    };
    if let Err(message) = outcome {
        eprintln!("permafrost-bench-native: {message}");
        std::process::exit(1);
    }
}

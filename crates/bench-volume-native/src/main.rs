//! Native baseline for `bench/volume.bench.ts`: the work a volume's blocks cost in plain
//! Rust, single-threaded, with no Node in between.
//!
//! Usage: `permafrost-bench-volume-native <columns file> <volume file> [runs | --serve]`
//!
//! The columns file is written by the TypeScript benchmark from the frozen volume it
//! writes (`PFBC` format below), so both sides start from the same bytes. Each column is
//! cut into 65,536-row groups and every block is serialized exactly as the writer does
//! (the group's null flags, then its values); then, timed separately, each repetition
//! compresses every block with lz4_flex (`compress_into` into a preallocated buffer),
//! decompresses every stored block back (raw-stored blocks — those LZ4 could not shrink —
//! are copied, as a reader must), and CRC32s the whole volume file. The metadata block
//! (LZ4+size) is timed on its own. A like-for-like pass for readers that return new
//! arrays decompresses every column into freshly allocated null-flag and value arrays
//! (through the warm scratch, then split) and the metadata into a fresh buffer. Prints one JSON object; times are seconds, medians.
//! With `--serve` it prints its setup as one JSON line, then times one pass of each
//! kind per "round" line read from stdin and answers with one JSON line, so a benchmark
//! can interleave these baselines with its own subjects. Serve mode also reports this
//! thread's CPU time per pass (`*_cpu_s`).
//!
//! Columns file: "PFBC", u32 version 1, u64 rows, u32 columns, then per column u8 kind,
//! u64 length + null flags, u64 length + value bytes; then u64 length + raw metadata.

use std::time::Instant;

use permafrost_core::checksum::crc32;
use permafrost_core::constants::VOLUME_ROW_GROUP_ROWS;
use permafrost_core::lz4_block;
use permafrost_core::volume::ColumnKind;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).ok_or("length overflow")?;
        let piece = self.bytes.get(self.at..end).ok_or_else(|| {
            format!(
                "columns file ends at {} inside a {n}-byte field",
                self.bytes.len()
            )
        })?;
        self.at = end;
        Ok(piece)
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes(b.try_into().map_err(|_| "u32")?))
    }

    fn u64(&mut self) -> Result<u64, String> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes(b.try_into().map_err(|_| "u64")?))
    }

    fn sized(&mut self) -> Result<&'a [u8], String> {
        let n = usize::try_from(self.u64()?).map_err(|_| "length does not fit")?;
        self.take(n)
    }
}

/// One serialized block: its raw bytes, and where its stored form goes.
struct Block {
    raw: Vec<u8>,
    stored: Vec<u8>,
    stored_len: usize,
    /// Rows of the group (its null flags come first in `raw`).
    rows: usize,
}

/// One column's shape: rows and value width (the fresh-array decompression allocates these).
struct ColumnShape {
    rows: usize,
    width: usize,
    blocks: std::ops::Range<usize>,
}

fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

/// CPU time of the calling thread (Linux `/proc/thread-self/schedstat`), if available: on
/// a shared machine it says what the work cost whatever else runs.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanos / 1e9)
}

fn list(samples: &[f64]) -> String {
    let parts: Vec<String> = samples.iter().map(|s| format!("{s:.6}")).collect();
    format!("[{}]", parts.join(","))
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(columns_path), Some(volume_path)) = (args.get(1), args.get(2)) else {
        return Err(
            "usage: permafrost-bench-volume-native <columns file> <volume file> [runs]".into(),
        );
    };
    let serve = args.get(3).is_some_and(|a| a == "--serve");
    let runs: usize = match args.get(3) {
        Some(n) if !serve => n.parse().map_err(|_| format!("runs: not a number: {n}"))?,
        _ => 7,
    };
    let columns_bytes = std::fs::read(columns_path).map_err(|e| format!("{columns_path}: {e}"))?;
    let volume = std::fs::read(volume_path).map_err(|e| format!("{volume_path}: {e}"))?;
    let mut r = Reader {
        bytes: &columns_bytes,
        at: 0,
    };
    if r.take(4)? != b"PFBC" || r.u32()? != 1 {
        return Err("not a PFBC v1 columns file".into());
    }
    let rows = usize::try_from(r.u64()?).map_err(|_| "rows")?;
    let column_count = r.u32()?;
    let group = VOLUME_ROW_GROUP_ROWS as usize;
    let mut blocks: Vec<Block> = Vec::new();
    let mut shapes: Vec<ColumnShape> = Vec::new();
    let mut raw_column_bytes = 0usize;
    for c in 0..column_count {
        let kind_tag = r.take(1)?.first().copied().unwrap_or(0);
        let kind = ColumnKind::from_tag(u32::from(kind_tag)).map_err(|e| e.message)?;
        let width = kind
            .value_bytes()
            .ok_or_else(|| format!("column {c}: only fixed-width kinds are benchmarked"))?;
        let nulls = r.sized()?;
        let values = r.sized()?;
        if nulls.len() != rows || values.len() != rows * width {
            return Err(format!("column {c}: sizes do not match {rows} rows"));
        }
        raw_column_bytes += nulls.len() + values.len();
        let first = blocks.len();
        for (group_nulls, group_values) in nulls.chunks(group).zip(values.chunks(group * width)) {
            let mut raw = Vec::with_capacity(group_nulls.len() + group_values.len());
            raw.extend_from_slice(group_nulls);
            raw.extend_from_slice(group_values);
            let stored = vec![0u8; lz4_block::compress_bound(raw.len())];
            blocks.push(Block {
                raw,
                stored,
                stored_len: 0,
                rows: group_nulls.len(),
            });
        }
        shapes.push(ColumnShape {
            rows,
            width,
            blocks: first..blocks.len(),
        });
    }
    let metadata = r.sized()?.to_vec();

    let mut bench = Bench::new(blocks, shapes, metadata, volume);
    bench.check()?;
    let setup = format!(
        "\"rows\":{rows},\"columns\":{column_count},\"blocks\":{},\"raw_column_bytes\":{raw_column_bytes},\"stored_block_bytes\":{},\
\"metadata_raw_bytes\":{},\"metadata_stored_bytes\":{},\"volume_bytes\":{},\"crc\":{}",
        bench.blocks.len(),
        bench.stored_bytes(),
        bench.metadata.len(),
        bench.meta_len,
        bench.volume.len(),
        crc32(&bench.volume, 0),
    );
    if serve {
        // One line per round on stdin ("round"), one JSON line of seconds back, so the
        // TypeScript benchmark can interleave these passes with its own subjects.
        println!("{{\"ready\":true,{setup}}}");
        let mut line = String::new();
        loop {
            line.clear();
            if std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| e.to_string())?
                == 0
                || line.trim() == "quit"
            {
                return Ok(());
            }
            let (t, c) = bench.round()?;
            println!(
                "{{\"compress_s\":{:.9},\"metadata_compress_s\":{:.9},\"decompress_s\":{:.9},\"metadata_decompress_s\":{:.9},\"crc_s\":{:.9},\"decompress_fresh_s\":{:.9},\
\"compress_cpu_s\":{:.9},\"metadata_compress_cpu_s\":{:.9},\"decompress_cpu_s\":{:.9},\"metadata_decompress_cpu_s\":{:.9},\"crc_cpu_s\":{:.9},\"decompress_fresh_cpu_s\":{:.9}}}",
                t[0], t[1], t[2], t[3], t[4], t[5], c[0], c[1], c[2], c[3], c[4], c[5]
            );
        }
    }
    bench.round()?; // warm-up
    let mut samples: [Vec<f64>; 6] = Default::default();
    for _ in 0..runs {
        for (list, t) in samples.iter_mut().zip(bench.round()?.0) {
            list.push(t);
        }
    }
    let [compress, meta_compress, decompress, meta_decompress, crc, fresh] = samples;
    println!(
        "{{{setup},\"runs\":{runs},\"compress_s\":{:.9},\"compress_runs\":{},\"metadata_compress_s\":{:.9},\
\"decompress_s\":{:.9},\"decompress_runs\":{},\"metadata_decompress_s\":{:.9},\"crc_s\":{:.9},\"crc_runs\":{},\"decompress_fresh_s\":{:.9}}}",
        median(&mut compress.clone()),
        list(&compress),
        median(&mut meta_compress.clone()),
        median(&mut decompress.clone()),
        list(&decompress),
        median(&mut meta_decompress.clone()),
        median(&mut crc.clone()),
        list(&crc),
        median(&mut fresh.clone()),
    );
    Ok(())
}

struct Bench {
    blocks: Vec<Block>,
    shapes: Vec<ColumnShape>,
    metadata: Vec<u8>,
    meta_out: Vec<u8>,
    meta_len: usize,
    meta_back: Vec<u8>,
    scratch: Vec<u8>,
    volume: Vec<u8>,
}

impl Bench {
    fn new(
        blocks: Vec<Block>,
        shapes: Vec<ColumnShape>,
        metadata: Vec<u8>,
        volume: Vec<u8>,
    ) -> Self {
        let largest = blocks.iter().map(|b| b.raw.len()).max().unwrap_or(0);
        Self {
            meta_out: vec![0u8; lz4_block::compress_bound(metadata.len())],
            meta_back: vec![0u8; metadata.len()],
            meta_len: 0,
            scratch: vec![0u8; largest],
            blocks,
            shapes,
            metadata,
            volume,
        }
    }

    fn stored_bytes(&self) -> usize {
        self.blocks.iter().map(|b| b.stored_len).sum()
    }

    /// Every block, exactly as the writer decides (LZ4 kept only when strictly shorter).
    fn compress(&mut self) -> Result<(), String> {
        for block in &mut self.blocks {
            let n =
                lz4_block::compress_into(&block.raw, &mut block.stored).map_err(|e| e.message)?;
            block.stored_len = if n < block.raw.len() {
                n
            } else {
                block.raw.len()
            };
        }
        Ok(())
    }

    /// Every stored block into a reused group-sized buffer (raw-stored blocks are copied).
    fn decompress(&mut self) -> Result<(), String> {
        for block in &self.blocks {
            let out = self.scratch.get_mut(..block.raw.len()).ok_or("scratch")?;
            if block.stored_len == block.raw.len() {
                out.copy_from_slice(&block.raw);
            } else {
                let src = block.stored.get(..block.stored_len).ok_or("stored")?;
                lz4_block::decompress_into(src, out).map_err(|e| e.message)?;
            }
        }
        Ok(())
    }

    /// What a reader returning new arrays must do: every column into freshly allocated
    /// null-flag and value arrays (each block inflated into the warm scratch, then split
    /// into them), and the metadata into a fresh buffer. Returns the arrays, to be freed
    /// after the clock stops (a reader's caller frees them later too).
    fn decompress_fresh(&mut self) -> Result<Vec<Vec<u8>>, String> {
        let mut arrays = Vec::with_capacity(self.shapes.len() * 2 + 1);
        for shape in &self.shapes {
            let mut nulls = vec![0u8; shape.rows];
            let mut values = vec![0u8; shape.rows * shape.width];
            let mut row = 0usize;
            for block in self.blocks.get(shape.blocks.clone()).ok_or("blocks")? {
                let out = self.scratch.get_mut(..block.raw.len()).ok_or("scratch")?;
                if block.stored_len == block.raw.len() {
                    out.copy_from_slice(&block.raw);
                } else {
                    let src = block.stored.get(..block.stored_len).ok_or("stored")?;
                    lz4_block::decompress_into(src, out).map_err(|e| e.message)?;
                }
                let (group_nulls, group_values) = out.split_at(block.rows);
                nulls
                    .get_mut(row..row + block.rows)
                    .ok_or("nulls")?
                    .copy_from_slice(group_nulls);
                values
                    .get_mut(row * shape.width..(row + block.rows) * shape.width)
                    .ok_or("values")?
                    .copy_from_slice(group_values);
                row += block.rows;
            }
            arrays.push(nulls);
            arrays.push(values);
        }
        let mut metadata = vec![0u8; self.metadata.len()];
        let src = self.meta_out.get(..self.meta_len).ok_or("meta")?;
        lz4_block::decompress_into(src, &mut metadata).map_err(|e| e.message)?;
        arrays.push(metadata);
        Ok(arrays)
    }

    fn compress_metadata(&mut self) -> Result<(), String> {
        self.meta_len =
            lz4_block::compress_into(&self.metadata, &mut self.meta_out).map_err(|e| e.message)?;
        Ok(())
    }

    fn decompress_metadata(&mut self) -> Result<(), String> {
        let src = self.meta_out.get(..self.meta_len).ok_or("meta")?;
        lz4_block::decompress_into(src, &mut self.meta_back).map_err(|e| e.message)
    }

    /// One timed pass of each kind, in seconds of wall time and of this thread's CPU time:
    /// compress, metadata compress, decompress, metadata decompress, CRC32 of the file.
    fn round(&mut self) -> Result<([f64; 6], [f64; 6]), String> {
        let mut wall = [0f64; 6];
        let mut cpu = [0f64; 6];
        for (k, (w, c)) in wall.iter_mut().zip(cpu.iter_mut()).enumerate() {
            let start = Instant::now();
            let start_cpu = thread_cpu_seconds();
            let mut fresh = Vec::new();
            match k {
                0 => self.compress()?,
                1 => self.compress_metadata()?,
                2 => self.decompress()?,
                3 => self.decompress_metadata()?,
                4 => {
                    std::hint::black_box(crc32(&self.volume, 0));
                }
                _ => fresh = self.decompress_fresh()?,
            }
            *w = start.elapsed().as_secs_f64();
            *c = match (start_cpu, thread_cpu_seconds()) {
                (Some(a), Some(b)) => b - a,
                _ => *w,
            };
            drop(std::hint::black_box(fresh));
        }
        Ok((wall, cpu))
    }

    /// Round trip check of every block and of the metadata, once, outside the timings.
    fn check(&mut self) -> Result<(), String> {
        self.compress()?;
        self.compress_metadata()?;
        for block in &self.blocks {
            if block.stored_len < block.raw.len() {
                let mut out = vec![0u8; block.raw.len()];
                let src = block.stored.get(..block.stored_len).ok_or("stored")?;
                lz4_block::decompress_into(src, &mut out).map_err(|e| e.message)?;
                if out != block.raw {
                    return Err("a block did not round-trip".into());
                }
            }
        }
        self.decompress_metadata()?;
        if self.meta_back != self.metadata {
            return Err("the metadata did not round-trip".into());
        }
        Ok(())
    }
}

fn main() {
    if let Err(message) = run() {
        eprintln!("permafrost-bench-volume-native: {message}");
        std::process::exit(1);
    }
}

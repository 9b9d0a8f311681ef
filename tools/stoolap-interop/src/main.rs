//! `stoolap-interop`: drives stoolap 0.4.0 for permafrost's interoperability tests.
//!
//!   stoolap-interop sql <dir> <script.sql>   run a SQL script on file://<dir>, then close
//!   stoolap-interop dump <dir>               print every row stoolap reads from <dir>
//!   stoolap-interop volume <dir> <rows.tsv>  write vol_0000000000000001.vol with stoolap's
//!                                            VolumeBuilder from typed rows (see `volume`)
//!
//! `dump` prints one line per row: `<table>\t<row>` where the row is the values' canonical
//! forms joined by `|` — `null`, `int N`, `float 0x<bits>`, `text <json string>`,
//! `bool B`, `timestamp <nanos>`, `json <text>`, `vector <f32 bits,...>` — the same forms the
//! TypeScript tests compute.

use std::error::Error;
use std::fmt::Write as _;

use stoolap::storage::volume::io::write_volume_to_disk;
use stoolap::storage::volume::writer::VolumeBuilder;
use stoolap::{DataType, Database, Row, SchemaBuilder, Value};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn canonical(value: &Value) -> String {
    match value {
        Value::Null(_) => "null".to_string(),
        Value::Integer(i) => format!("int {i}"),
        Value::Float(f) => format!("float 0x{:016x}", f.to_bits()),
        Value::Text(s) => format!("text {}", json_string(s.as_ref())),
        Value::Boolean(b) => format!("bool {b}"),
        Value::Timestamp(ts) => format!("timestamp {}", ts.timestamp_nanos_opt().unwrap_or(i64::MIN)),
        Value::Extension(_) => {
            if let Some(json) = value.as_json() {
                format!("json {json}")
            } else if let Some(vector) = value.as_vector_f32() {
                let bits: Vec<String> = vector.iter().map(|f| format!("0x{:08x}", f.to_bits())).collect();
                format!("vector {}", bits.join(","))
            } else {
                format!("extension {value:?}")
            }
        }
    }
}

fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn open(dir: &str) -> Result<Database> {
    Ok(Database::open(&format!("file://{dir}"))?)
}

fn run_sql(dir: &str, script_path: &str) -> Result<()> {
    let script = std::fs::read_to_string(script_path)?;
    let db = open(dir)?;
    let mut statement = String::new();
    for line in script.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("--") || trimmed.is_empty() {
            continue;
        }
        statement.push_str(line);
        statement.push('\n');
        if trimmed.ends_with(';') {
            db.execute(statement.trim().trim_end_matches(';'), ())?;
            statement.clear();
        }
    }
    db.close()?;
    Ok(())
}

fn dump(dir: &str) -> Result<()> {
    let db = open(dir)?;
    let mut tables: Vec<String> = Vec::new();
    for row in db.query("SHOW TABLES", ())? {
        let row = row?;
        if let Some(Value::Text(name)) = row.get_value(0) {
            tables.push(name.to_string());
        }
    }
    tables.sort();
    for table in tables {
        for row in db.query(&format!("SELECT * FROM {table}"), ())? {
            let row = row?;
            let mut values = Vec::new();
            let mut index = 0;
            while let Some(value) = row.get_value(index) {
                values.push(canonical(value));
                index += 1;
            }
            println!("{table}\t{}", values.join("|"));
        }
    }
    db.close()?;
    Ok(())
}

fn data_type(name: &str) -> Result<DataType> {
    Ok(match name {
        "integer" => DataType::Integer,
        "float" => DataType::Float,
        "text" => DataType::Text,
        "boolean" => DataType::Boolean,
        "timestamp" => DataType::Timestamp,
        "json" => DataType::Json,
        other => return Err(format!("unknown column type {other}").into()),
    })
}

fn parse_value(data_type: DataType, text: &str) -> Result<Value> {
    if text == "\\N" {
        return Ok(Value::Null(data_type));
    }
    Ok(match data_type {
        DataType::Integer => Value::Integer(text.parse()?),
        DataType::Float => Value::Float(f64::from_bits(u64::from_str_radix(text, 16)?)),
        DataType::Text => Value::text(text),
        DataType::Boolean => Value::Boolean(text == "true"),
        DataType::Timestamp => {
            let nanos: i64 = text.parse()?;
            Value::Timestamp(chrono::DateTime::from_timestamp_nanos(nanos))
        }
        DataType::Json => Value::json(text),
        other => return Err(format!("unsupported column type {other:?}").into()),
    })
}

/// `rows.tsv`: first line `name:type` per column (types: integer float text boolean
/// timestamp json), then one line per row: `row_id`, then one field per column (`\N` = NULL;
/// floats as 16 hex digits of their bits; timestamps as epoch nanos). Tab separated.
fn volume(dir: &str, rows_path: &str) -> Result<()> {
    let text = std::fs::read_to_string(rows_path)?;
    let mut lines = text.lines();
    let header = lines.next().ok_or("empty rows file")?;
    let mut builder = SchemaBuilder::new("t");
    let mut types = Vec::new();
    for spec in header.split('\t') {
        let (name, kind) = spec.split_once(':').ok_or("bad column spec")?;
        let data_type = data_type(kind)?;
        types.push(data_type);
        builder = builder.column(name, data_type, true, false);
    }
    let schema = builder.build();
    let mut volume = VolumeBuilder::new(&schema);
    for line in lines {
        let mut fields = line.split('\t');
        let row_id: i64 = fields.next().ok_or("missing row id")?.parse()?;
        let mut values = Vec::new();
        for (field, data_type) in fields.zip(types.iter()) {
            values.push(parse_value(*data_type, field)?);
        }
        volume.add_row(row_id, &Row::from_values(values));
    }
    let frozen = volume.finish();
    write_volume_to_disk(std::path::Path::new(dir), "t", 1, &frozen)?;
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("sql") if args.len() == 4 => run_sql(&args[2], &args[3]),
        Some("dump") if args.len() == 3 => dump(&args[2]),
        Some("volume") if args.len() == 4 => volume(&args[2], &args[3]),
        _ => Err("usage: stoolap-interop sql <dir> <script.sql> | dump <dir> | volume <dir> <rows.tsv>".into()),
    }
}

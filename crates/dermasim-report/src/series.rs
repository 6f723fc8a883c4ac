//! Tidy long-format tables of time series and depth profiles, one observation per row, which
//! R (`readr::read_csv`), pandas (`read_csv`), spreadsheets and plotting tools read directly.
//!
//! `series.csv`: `stage,quantity,subject,condition,unit,t,t_unit,value`
//!
//! | column | meaning |
//! |---|---|
//! | `stage` | pipeline stage that computed it (`transport`, `healing`, `series`, ...) |
//! | `quantity` | snake_case name, e.g. `cumulative_delivered`, `flux` |
//! | `subject` | what it is about: a product name, a layer, or empty |
//! | `condition` | `treated`, `intact`, or empty |
//! | `unit` | unit of `value`, e.g. `ug/cm2`, `ug/cm2/h`, `fraction` |
//! | `t` | time |
//! | `t_unit` | unit of `t`: `h`, `d` or `month` |
//! | `value` | the number |
//!
//! `profiles.csv` (depth profiles): the same columns with `depth_um` before `value`.

/// One row of a long table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Pipeline stage.
    pub stage: String,
    /// Quantity (snake_case).
    pub quantity: String,
    /// Product, layer, or empty.
    pub subject: String,
    /// `treated`, `intact`, or empty.
    pub condition: String,
    /// Unit of the value.
    pub unit: String,
    /// Time.
    pub t: f64,
    /// Unit of the time.
    pub t_unit: String,
    /// Depth, µm (profiles only).
    pub depth_um: Option<f64>,
    /// Value.
    pub value: f64,
}

/// Identifies one series of a long table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key<'a> {
    /// Pipeline stage.
    pub stage: &'a str,
    /// Quantity (snake_case).
    pub quantity: &'a str,
    /// Product, layer, or empty.
    pub subject: &'a str,
    /// `treated`, `intact`, or empty.
    pub condition: &'a str,
    /// Unit of the value.
    pub unit: &'a str,
    /// Unit of the time.
    pub t_unit: &'a str,
}

/// A long table: `series.csv` (time series) or `profiles.csv` (depth profiles).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LongTable {
    /// Rows in insertion order.
    pub rows: Vec<Row>,
}

impl LongTable {
    fn row(k: &Key<'_>, t: f64, depth_um: Option<f64>, value: f64) -> Row {
        Row {
            stage: k.stage.into(),
            quantity: k.quantity.into(),
            subject: k.subject.into(),
            condition: k.condition.into(),
            unit: k.unit.into(),
            t,
            t_unit: k.t_unit.into(),
            depth_um,
            value,
        }
    }

    /// Appends a time series of `(t, value)` points.
    pub fn push_series(&mut self, key: Key<'_>, points: &[(f64, f64)]) {
        self.rows.extend(points.iter().map(|&(t, v)| Self::row(&key, t, None, v)));
    }

    /// Appends a depth profile at time `t`: `(depth_um, value)` points.
    pub fn push_profile(&mut self, key: Key<'_>, t: f64, points: &[(f64, f64)]) {
        self.rows.extend(points.iter().map(|&(d, v)| Self::row(&key, t, Some(d), v)));
    }

    /// Whether the table has no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The CSV text (RFC 4180 by the `csv` crate: header first, a field quoted only when it
    /// holds a comma, a quote or a line break; full-precision numbers). Profiles get a
    /// `depth_um` column when any row has a depth.
    pub fn to_csv(&self) -> String {
        let depth = self.rows.iter().any(|r| r.depth_um.is_some());
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["stage", "quantity", "subject", "condition", "unit", "t", "t_unit"];
        header.extend(if depth { &["depth_um", "value"][..] } else { &["value"][..] });
        let mut write = |record: &[&str]| w.write_record(record).expect("writing CSV into memory does not fail");
        write(&header);
        for r in &self.rows {
            let (t, value) = (num(r.t), num(r.value));
            let d = r.depth_um.map(num).unwrap_or_default();
            let mut record = vec![&*r.stage, &*r.quantity, &*r.subject, &*r.condition, &*r.unit, &*t, &*r.t_unit];
            if depth {
                record.push(&d);
            }
            record.push(&value);
            write(&record);
        }
        let bytes = w.into_inner().expect("flushing CSV into memory does not fail");
        String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8")
    }
}

/// A number as CSV text: shortest round-trip form; NaN and infinities as `NA` (what R and
/// pandas read as missing).
fn num(v: f64) -> String {
    if v.is_finite() { format!("{v}") } else { "NA".into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: Key<'static> = Key {
        stage: "transport",
        quantity: "flux",
        subject: "caffeine",
        condition: "treated",
        unit: "ug/cm2/h",
        t_unit: "h",
    };

    #[test]
    fn long_rows_round_trip_through_a_csv_reader() {
        let mut t = LongTable::default();
        t.push_series(K, &[(0.0, 0.0), (0.5, 1.25e-7), (1.0, f64::NAN)]);
        t.push_series(Key { subject: "a, \"b\"", ..K }, &[(2.0, 3.0)]);
        let text = t.to_csv();
        // quoted only where needed, quotes doubled, one \n per record
        assert!(text.contains("\ntransport,flux,\"a, \"\"b\"\"\",treated,ug/cm2/h,2,h,3\n"), "{text}");
        assert!(text.contains("\ntransport,flux,caffeine,treated,ug/cm2/h,1,h,NA\n"), "{text}");
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let h = r.headers().unwrap().clone();
        assert_eq!(
            h.iter().collect::<Vec<_>>(),
            ["stage", "quantity", "subject", "condition", "unit", "t", "t_unit", "value"]
        );
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[1][7].parse::<f64>().unwrap(), 1.25e-7);
        assert_eq!(&rows[2][7], "NA");
        assert_eq!(&rows[3][2], "a, \"b\"");
    }

    #[test]
    fn profiles_get_a_depth_column() {
        let mut t = LongTable::default();
        t.push_profile(Key { quantity: "concentration", unit: "mg/ml", ..K }, 4.0, &[(5.0, 1.0), (15.0, 0.5)]);
        let text = t.to_csv();
        assert!(text.starts_with("stage,quantity,subject,condition,unit,t,t_unit,depth_um,value\n"));
        assert!(text.contains("transport,concentration,caffeine,treated,mg/ml,4,h,15,0.5\n"), "{text}");
    }
}

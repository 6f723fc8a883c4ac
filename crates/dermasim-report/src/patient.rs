//! The patient page: one printable page in plain language for the person being treated: what
//! will be done, what to expect (redness and for how long), what to avoid, when to come back,
//! and the statement that dermasim is not a medical device. It is shown at the end of
//! `report.html` and written on its own as `patient.html` ([`crate::write`]).
//!
//! Every number on it comes from the run (the device, the protocol, the healing stage's redness
//! and recovery, the numbing recommendation, the safety verdict): nothing is recomputed here.
//! It names no model, parameter or layer of the skin (`tests::no_jargon`).

use dermasim_core::Outcome;
use dermasim_core::device::DeviceKind;
use dermasim_core::safety::Verdict;
use dermasim_core::scenario::vocabulary::NumbingCream;
use serde::Serialize;

use crate::ReportError;

/// The page template (a full page) and the block the report includes.
const PAGE: &str = include_str!("../templates/patient.html");
/// The page's content, shared by `patient.html` and `report.html` (rendered once, then placed).
const BLOCK: &str = include_str!("../templates/patient_block.html");

/// Redness that lasts longer than this is a reason to call the practitioner, h: the safety
/// screen's REDNESS_PROLONGED threshold (the expected redness after microneedling resolves
/// within 72 h, PMC8008152 \[V\]; docs/models.md §8).
pub const CALL_IF_REDNESS_OVER_H: f64 = 72.0;

/// Words that must not appear on the patient page (lower case, matched in its visible text):
/// model, parameter and anatomy jargon, confidence tags, the screen's vocabulary.
pub const FORBIDDEN_WORDS: &[&str] = &[
    "channel",
    "dermis",
    "epidermis",
    "hypodermis",
    "stratum",
    "corneum",
    "µm",
    " um ",
    "erythema",
    "tewl",
    "transport",
    "column",
    "threshold",
    "p90",
    "percentile",
    "quantile",
    "model",
    "parameter",
    "coefficient",
    "partition",
    "clearance",
    "diffusion",
    "diffusivity",
    "calibrat",
    "occlu",
    "potts",
    "dancik",
    "osp",
    "kretsos",
    "bjerring",
    "poiseuille",
    "crank",
    "renkin",
    "wahlgren",
    "finding",
    "verdict",
    "contraindicat",
    "scenario",
    "hydration",
    "[a]",
    "[c]",
    "[v]",
    "[d]",
];

/// What `patient.html` is rendered from: the title and the rendered block.
#[derive(Serialize)]
struct PatientDoc<'a> {
    title: &'a str,
    block: String,
}

/// The patient page's content.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PatientPage {
    /// Page title.
    pub title: String,
    /// A plain sentence when the screen found a contraindication or a caution.
    pub advice: Option<String>,
    /// What will be done.
    pub plan: Vec<String>,
    /// What to expect.
    pub expect: Vec<String>,
    /// What to avoid.
    pub avoid: Vec<String>,
    /// When to come back, and when to call sooner.
    pub come_back: Vec<String>,
    /// The not-a-medical-device statement.
    pub disclaimer: &'static str,
}

/// "about 5 hours", "about 2 days".
fn duration(h: f64) -> String {
    if h < 1.0 {
        "less than an hour".into()
    } else if h < 36.0 {
        let n = h.round().max(1.0);
        format!("about {n:.0} hour{}", if n == 1.0 { "" } else { "s" })
    } else {
        let d = (h / 24.0 * 2.0).round() / 2.0;
        format!("about {} days", if d.fract() == 0.0 { format!("{d:.0}") } else { format!("{d:.1}") })
    }
}

fn days(d: f64) -> String {
    let n = d.ceil().max(1.0);
    format!("{n:.0} day{}", if n == 1.0 { "" } else { "s" })
}

/// A treated area in words: "the cheek", "the abdomen".
fn area_words(site: &str) -> String {
    format!("the {}", site.replace(['-', '_'], " "))
}

impl PatientPage {
    /// The page of a run; `None` for excised skin (no patient).
    pub fn from_outcome(o: &Outcome) -> Option<PatientPage> {
        let healing = o.healing.as_ref()?;
        let s = &o.scenario;
        let p = &s.protocol;
        let mm = s.device.needle.length_um / 1000.0;
        let device = match s.device.kind {
            DeviceKind::Dermaroller(_) => "a small hand-held roller covered with fine needles",
            DeviceKind::Dermapen(_) => "a pen-shaped device whose fine needles move in and out quickly",
            DeviceKind::Stamp(_) => "a small stamp of fine needles pressed onto the skin",
        };
        let mut plan = vec![format!(
            "{} will be treated with {device}, {mm:.2} mm long. They make tiny holes that the skin repairs; \
the repair is what improves it.",
            capitalise(&area_words(&s.skin.site))
        )];
        if p.sessions > 1 {
            plan.push(format!("The plan has {} sessions, {:.0} days apart.", p.sessions, p.interval_days));
        } else {
            plan.push("The plan is one session.".into());
        }
        if let Some(n) = &o.numbing {
            if n.recommended_minutes > 0.0 {
                let cream = match p.numbing.as_ref().map(|c| c.cream) {
                    Some(NumbingCream::Emla) | None => "a numbing cream",
                    Some(_) => "a numbing cream with lidocaine",
                };
                plan.push(format!(
                    "Before the treatment, {cream} is put on the skin for about {:.0} minutes so that it hurts less.",
                    p.numbing
                        .as_ref()
                        .filter(|c| c.cream != NumbingCream::None)
                        .map(|c| c.minutes)
                        .unwrap_or(n.recommended_minutes)
                ));
                if !n.reaches_channels {
                    plan.push(
                        "The cream cannot numb the skin as deep as these needles go: you may still feel part of the \
treatment."
                            .into(),
                    );
                }
            } else {
                plan.push("These needles are short: no numbing cream is needed.".into());
            }
        }
        let red = healing.erythema_resolved_h;
        let recovery = healing.recovery_days();
        let expect = vec![
            format!("Your skin will look red, like a mild sunburn, for {}.", duration(red)),
            "It may feel warm, tight or slightly swollen for the first day, and tiny dots may show where the \
needles went in."
                .into(),
            format!("Your skin needs {} to recover fully.", days(recovery)),
        ];
        let mut avoid = vec![
            format!(
                "Sun: keep the treated skin out of the sun for {} and use a broad-spectrum sunscreen every day.",
                days(recovery)
            ),
            format!(
                "Make-up, acids, retinol, vitamin C serums, scrubs and perfumed products for {}, unless your \
practitioner gave them to you.",
                days(recovery)
            ),
            "Touching, picking or scratching the treated skin.".into(),
        ];
        if s.patient.phototype.is_some_and(|t| t as u8 >= dermasim_core::scenario::patient::Phototype::IV as u8) {
            avoid.push("Sun and heat especially: darker skin can develop dark patches after the treatment.".into());
        }
        let mut come_back = Vec::new();
        if p.sessions > 1 {
            come_back.push(format!("Next session: in {:.0} days.", p.interval_days));
        }
        come_back.push(format!(
            "Call your practitioner sooner if the redness lasts longer than {} days, if it spreads, if you see pus, \
have a fever or growing pain, or if dark patches appear.",
            (CALL_IF_REDNESS_OVER_H / 24.0).round()
        ));
        let advice = match o.safety.verdict {
            Verdict::Contraindicated => Some(
                "This plan is not advised as it is written: your practitioner should change it before any \
treatment."
                    .to_string(),
            ),
            Verdict::Caution => {
                Some("Some points of this plan need your practitioner's review before the treatment.".to_string())
            }
            Verdict::Ok => None,
        };
        Some(PatientPage {
            title: "Your microneedling treatment".into(),
            advice,
            plan,
            expect,
            avoid,
            come_back,
            disclaimer: dermasim_core::summary::DISCLAIMER,
        })
    }

    /// The page as a self-contained HTML file (`patient.html`).
    pub fn to_html(&self) -> Result<String, ReportError> {
        let doc = PatientDoc { title: &self.title, block: self.block_html()? };
        crate::render_page("patient.html", PAGE, "p", &doc)
    }

    /// The page's content as an HTML section (`id="patient"`), as the report shows it.
    pub fn block_html(&self) -> Result<String, ReportError> {
        crate::render_page("patient_block.html", BLOCK, "p", self)
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(extra: &str) -> Outcome {
        let text = format!(
            "[skin]\nsite = \"cheek\"\n{extra}\n[device]\ntype = \"dermapen\"\npreset = \"pen-12\"\nneedle_length_mm = 1.0\n\
[protocol]\nsetting = \"office\"\narea_cm2 = 2\nsessions = 3\ninterval_days = 30\n\
numbing = {{ cream = \"emla\", minutes = 60 }}\n[simulation]\ntransport = \"off\"\nwindow_mm = 4\n"
        );
        let s = dermasim_core::scenario::parse(&text, &[]).unwrap_or_else(|e| panic!("{}", e[0].message));
        dermasim_core::simulate(&s)
    }

    #[test]
    fn no_jargon() {
        for extra in ["", "[patient]\nphototype = \"V\"\nconditions = [\"active-acne\"]"] {
            let o = outcome(extra);
            let page = PatientPage::from_outcome(&o).unwrap();
            let html = page.to_html().unwrap();
            // The visible text (the style sheet and tags aside).
            let body = &html[html.find("<body").unwrap()..];
            let text = strip_tags(body).to_lowercase();
            for w in FORBIDDEN_WORDS {
                assert!(!text.contains(w), "the patient page says {w:?}: {text}");
            }
        }
    }

    #[test]
    fn page_has_the_four_parts_the_numbers_and_the_statement() {
        let o = outcome("");
        let p = PatientPage::from_outcome(&o).unwrap();
        let html = p.to_html().unwrap();
        for h in ["What will be done", "What to expect", "What to avoid", "When to come back"] {
            assert!(html.contains(h), "{h}");
        }
        assert!(html.contains(dermasim_core::summary::DISCLAIMER));
        assert!(html.contains("in 30 days"), "the interval");
        let red = o.healing.as_ref().unwrap().erythema_resolved_h;
        assert!(html.contains(&duration(red)), "the redness duration {}", duration(red));
        assert!(html.contains("about 60 minutes"), "the scenario's numbing time");
        assert!(!html.contains("src=\"http") && !html.contains("<script"));
    }

    #[test]
    fn advice_follows_the_verdict() {
        let ok = PatientPage::from_outcome(&outcome("")).unwrap();
        let bad = PatientPage::from_outcome(&outcome("[patient]\nconditions = [\"active-acne\"]")).unwrap();
        assert!(bad.advice.as_deref().unwrap().contains("not advised"), "{bad:?}");
        assert_ne!(ok.advice, bad.advice);
    }

    #[test]
    fn durations_read_plainly() {
        assert_eq!(duration(0.5), "less than an hour");
        assert_eq!(duration(5.2), "about 5 hours");
        assert_eq!(duration(50.0), "about 2 days");
        assert_eq!(duration(80.0), "about 3.5 days");
        assert_eq!(days(0.3), "1 day");
    }

    fn strip_tags(s: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in s.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    out.push(' ');
                }
                _ if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    }
}

//! dermasim's library core: a microneedling treatment turned into numbers.
//!
//! # Brief overview
//!
//! The core is a one-way pipeline of typed stage results, one module per stage:
//!
//! ```text
//! scenario::parse ─▶ Scenario ─▶ punctures::generate ─▶ PunctureMap
//!     ─▶ channels::form ─▶ Vec<Channel> ─▶ pattern::analyse ─▶ PatternStats
//!     ─▶ healing::assess, series::assess, numbing::assess, procedure::estimate
//!     ─▶ safety::assess ─▶ delivery::deliver ─▶ summary::summarise ─▶ Summary
//! ```
//!
//! Each stage is a function of the scenario and earlier stages' results; [`simulate`] runs them
//! all and returns an [`Outcome`], which holds every stage result and the [`Summary`] assembled
//! once from them. The core does no
//! I/O: it reads strings and returns values; front ends (the `dermasim` CLI) write files.
//! Random numbers come from per-entity streams ([`rng`]), so the same scenario and seed give
//! the same numbers whatever the thread count.
//!
//! # Example
//!
//! ```
//! let text = r#"
//! [skin]
//! site = "cheek"
//! [device]
//! type = "dermaroller"
//! preset = "roller-192"
//! needle_length_mm = 0.5
//! [protocol]
//! setting = "home"
//! area_cm2 = 4
//! passes = [{ direction_deg = 0, count = 2 }, { direction_deg = 90, count = 2 }]
//! "#;
//! let scenario = dermasim_core::scenario::parse(text, &[]).map_err(|e| e[0].message.clone())?;
//! let outcome = dermasim_core::simulate(&scenario);
//! assert!(outcome.summary.channels.mean_depth_um < 500.0);
//! # Ok::<(), String>(())
//! ```

#![deny(missing_docs)]

pub mod channels;
pub mod cohort;
pub mod compare;
pub mod delivery;
pub mod device;
#[cfg(test)]
mod fixtures;
pub mod healing;
pub mod numbing;
pub mod params;
pub mod pattern;
pub mod procedure;
pub mod punctures;
pub mod rng;
pub mod safety;
pub mod scenario;
pub mod sensitivity;
pub mod series;
pub mod skin;
pub mod summary;
pub mod sweep;
pub mod uncertainty;

/// The transport engine and the permeant chemistry, re-exported for front ends.
pub use dermasim_transport as transport;

use channels::Channel;
use params::Stage;
use pattern::PatternStats;
use punctures::PunctureMap;
use scenario::Scenario;
use summary::Summary;

/// Everything a run computes.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The scenario that was run.
    pub scenario: Scenario,
    /// Punctures in the simulated window.
    pub punctures: PunctureMap,
    /// One channel per puncture, same order.
    pub channels: Vec<Channel>,
    /// Statistics of the channels (mean depth, reach, ...), computed once.
    pub channel_stats: channels::ChannelStats,
    /// Pattern statistics of the window.
    pub pattern: PatternStats,
    /// Transport: delivery of each product, treated against intact skin.
    pub delivery: delivery::DeliveryOutcome,
    /// Healing of one session: resealing, barrier, redness (None for excised skin).
    pub healing: Option<healing::Healing>,
    /// The treatment series: collagen and elastin over sessions, scar outcome (None for excised
    /// skin).
    pub series: Option<series::Series>,
    /// Safety screening: verdict, findings in screening order, and the injury numbers the rules
    /// read.
    pub safety: safety::SafetySummary,
    /// Numbing-cream onset and recommendation (None for excised skin).
    pub numbing: Option<numbing::NumbingAssessment>,
    /// Session time.
    pub procedure: procedure::Procedure,
    /// The key numbers (what `summary.json` holds).
    pub summary: Summary,
}

/// Told how far a run has got, e.g. to draw a progress bar. The core calls it between stages
/// and between time intervals of the transport solves (never from worker threads); it must not
/// influence the numbers.
pub trait Observer {
    /// Stage `name` starts; `fraction` (0-1) is the share of the run's expected time done.
    fn stage(&mut self, name: &str, fraction: f64);

    /// Progress within stage `stage` (so far only "transport", after each output time of each
    /// solve); `fraction` (0-1) is the share of the run's expected time done, on the same scale
    /// as [`Observer::stage`]. The default ignores it.
    fn progress(&mut self, stage: &str, fraction: f64) {
        let _ = (stage, fraction);
    }
}

/// An [`Observer`] that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoObserver;

impl Observer for NoObserver {
    fn stage(&mut self, _name: &str, _fraction: f64) {}
}

/// Runs every stage of the pipeline on a validated scenario.
pub fn simulate(scenario: &Scenario) -> Outcome {
    simulate_with(scenario, &mut NoObserver)
}

/// [`simulate`], telling `observer` as each stage starts (fractions are rough shares of the
/// expected run time: transport dominates).
pub fn simulate_with(scenario: &Scenario, observer: &mut dyn Observer) -> Outcome {
    simulate_reusing(scenario, None, observer)
}

/// How much of each stage a run computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// Everything (every front end's run).
    Full,
    /// What the headline outputs ([`uncertainty::headline`]) read, for the draws of an
    /// uncertainty or sensitivity run: stages leave out results no headline output reads (so
    /// far the numbing stage's search of every cream and its exposure,
    /// [`numbing::assess_detailed`]). The headline outputs are the same as [`Detail::Full`]'s.
    Headline,
}

/// One draw of an uncertainty or sensitivity run: [`simulate_reusing`] from `base` at
/// [`Detail::Headline`]. Only the headline outputs of its summary are meant to be read.
pub fn simulate_draw(scenario: &Scenario, base: &Outcome) -> Outcome {
    run(scenario, Some(base), &mut NoObserver, Detail::Headline)
}

/// [`simulate_with`], reusing from `base` every stage result that does not depend on a
/// registered parameter whose value differs between `scenario` and `base.scenario`
/// (the [`params::Stage`] dependencies of each stage result). `scenario` must equal `base.scenario` except
/// for its [`Scenario::parameters`] (an uncertainty or sensitivity run's draws); otherwise
/// nothing is reused. With `base` `None` every stage runs.
pub fn simulate_reusing(scenario: &Scenario, base: Option<&Outcome>, observer: &mut dyn Observer) -> Outcome {
    run(scenario, base, observer, Detail::Full)
}

fn run(scenario: &Scenario, base: Option<&Outcome>, observer: &mut dyn Observer, detail: Detail) -> Outcome {
    let reuse = Reuse::new(scenario, base);
    observer.stage("punctures", 0.0);
    let punctures = match reuse.result(&[Stage::Punctures]) {
        Some(b) => b.punctures.clone(),
        None => punctures::generate(scenario),
    };
    observer.stage("channels", 0.05);
    let channels = match reuse.result(&Reuse::CHANNELS) {
        Some(b) => b.channels.clone(),
        None => channels::form(&punctures, scenario),
    };
    observer.stage("pattern", 0.1);
    let channel_stats = match reuse.result(&Reuse::CHANNELS) {
        Some(b) => b.channel_stats,
        None => channels::stats(&channels, &scenario.skin),
    };
    let pattern = match reuse.result(&[&Reuse::CHANNELS[..], &[Stage::Pattern]].concat()) {
        Some(b) => b.pattern.clone(),
        None => pattern::analyse(&channels, punctures.window_um),
    };
    observer.stage("healing, numbing, safety", 0.12);
    let healing_deps = [&Reuse::CHANNELS[..], &[Stage::Healing]].concat();
    let healing = match reuse.result(&healing_deps) {
        Some(b) => b.healing.clone(),
        None => healing::assess(scenario, &channels, punctures.window_cm2()),
    };
    let series = match reuse.result(&[&healing_deps[..], &[Stage::Series]].concat()) {
        Some(b) => b.series.clone(),
        None => series::assess(scenario, &channels, punctures.window_cm2(), healing.as_ref()),
    };
    let numbing_deps = [&Reuse::CHANNELS[..], &[Stage::Numbing, Stage::Transport]].concat();
    let numbing = match reuse.result(&numbing_deps) {
        Some(b) => b.numbing.clone(),
        None => numbing::assess_detailed(scenario, &channel_stats, detail),
    };
    let recommended_numbing_min = numbing.as_ref().map(|n| n.recommended_minutes);
    let procedure = match reuse.result(&[&numbing_deps[..], &[Stage::Procedure]].concat()) {
        Some(b) => b.procedure.clone(),
        None => procedure::estimate(scenario, recommended_numbing_min),
    };
    // The same stage results `safety::check` screens (one screening path).
    let stages = safety::Stages {
        channels: &channels,
        channel_stats: &channel_stats,
        pattern: &pattern,
        healing: healing.as_ref(),
        numbing: numbing.as_ref(),
    };
    let safety = safety::assess(scenario, &stages);
    const TRANSPORT: (f64, f64) = (0.15, 0.98);
    observer.stage("transport", TRANSPORT.0);
    let delivery_deps = [&healing_deps[..], &[Stage::Pattern, Stage::Delivery, Stage::Transport]].concat();
    let delivery = match reuse.result(&delivery_deps) {
        Some(b) => b.delivery.clone(),
        None => {
            // Channels close as the skin heals: transport sees the openness curve of the healing
            // stage (empty, i.e. always open, for excised skin, which does not heal).
            let openness = match &healing {
                Some(h) => h.openness_curve.clone(),
                None => healing::openness_curve(
                    &channels,
                    &scenario.skin,
                    healing::ClosureConditions::of(scenario),
                    &healing::HealingModel::of(&scenario.parameters),
                ),
            };
            delivery::deliver_observed(scenario, &channels, &pattern, punctures.window_um, &openness, &mut |f| {
                observer.progress("transport", TRANSPORT.0 + f * (TRANSPORT.1 - TRANSPORT.0))
            })
        }
    };
    observer.stage("summary", TRANSPORT.1);
    let summary = summary::summarise(&summary::Stages {
        scenario,
        punctures: &punctures,
        channels: &channels,
        channel_stats: &channel_stats,
        pattern: &pattern,
        delivery: &delivery,
        healing: healing.as_ref(),
        series: series.as_ref(),
        safety: &safety,
        numbing: numbing.as_ref(),
        procedure: &procedure,
    });
    Outcome {
        scenario: scenario.clone(),
        punctures,
        channels,
        channel_stats,
        pattern,
        delivery,
        healing,
        series,
        safety,
        numbing,
        procedure,
        summary,
    }
}

/// Which stage results of a base run a new run may reuse: those whose stages' registered
/// parameters all have the same values in both (and only when the scenarios are otherwise
/// equal).
struct Reuse<'a> {
    base: Option<&'a Outcome>,
    /// Stages with a parameter whose value differs from the base run's.
    changed: Vec<Stage>,
}

impl<'a> Reuse<'a> {
    /// The registry stages the channels depend on.
    const CHANNELS: [Stage; 3] = [Stage::Punctures, Stage::Channels, Stage::Skin];

    fn new(scenario: &Scenario, base: Option<&'a Outcome>) -> Reuse<'a> {
        let Some(b) = base else { return Reuse { base: None, changed: Vec::new() } };
        let same_inputs = Scenario { parameters: b.scenario.parameters.clone(), ..scenario.clone() } == b.scenario;
        if !same_inputs {
            return Reuse { base: None, changed: Vec::new() };
        }
        let mut changed: Vec<Stage> = params::all()
            .filter(|p| scenario.parameters.get(p).to_bits() != b.scenario.parameters.get(p).to_bits())
            .map(|p| p.stage)
            .collect();
        changed.dedup();
        Reuse { base, changed }
    }

    /// The base run, if no stage of `deps` changed.
    fn result(&self, deps: &[Stage]) -> Option<&'a Outcome> {
        self.base.filter(|_| !deps.iter().any(|d| self.changed.contains(d)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stamp on thin skin in a 1 mm window: small grids, fast solves. Two products for the
    /// unit cell, one for the (slower) patch.
    fn scenario(mode: &str) -> Scenario {
        let second = if mode == "patch" {
            ""
        } else {
            "[[products]]\nname = \"niacinamide\"\nconcentration_mg_ml = 50\ndose_ul_per_cm2 = 5"
        };
        let text = format!(
            r#"
[skin]
site = "forearm"
papillary_dermis_um = 100
reticular_dermis_um = 100
[device]
type = "stamp"
preset = "array-600"
needle_length_mm = 0.15
needle_diameter_mm = 0.3
[protocol]
setting = "office"
area_cm2 = 1
[[products]]
name = "caffeine"
concentration_mg_ml = 10
{second}
[simulation]
window_mm = 1
duration_h = 0.01
transport = "{mode}"
resolution = "coarse"
"#
        );
        scenario::parse(&text, &[]).unwrap_or_else(|e| panic!("{}", e[0].message))
    }

    #[derive(Default)]
    struct Record {
        stages: Vec<(String, f64)>,
        progress: Vec<(String, f64)>,
    }

    impl Observer for Record {
        fn stage(&mut self, name: &str, fraction: f64) {
            self.stages.push((name.to_string(), fraction));
        }
        fn progress(&mut self, stage: &str, fraction: f64) {
            self.progress.push((stage.to_string(), fraction));
        }
    }

    /// Reusing a base run's stage results gives the same numbers as running every stage, for
    /// every registered parameter perturbed on its own and for all of them at once.
    #[test]
    fn reusing_stage_results_changes_no_number() {
        let s = scenario("unit_cell");
        let base = simulate(&s);
        let json = |o: &Outcome| serde_json::to_string(&o.summary).unwrap();
        let same = simulate_reusing(&s, Some(&base), &mut NoObserver);
        assert_eq!(json(&same), json(&base));
        let mut all = s.clone();
        for p in params::uncertain() {
            let (lo, hi) = p.distribution.bounds().unwrap();
            let v = lo + 0.3 * (hi - lo);
            let mut one = s.clone();
            one.parameters.set(p.name, v).unwrap();
            all.parameters.set(p.name, v).unwrap();
            let full = simulate(&one);
            assert_eq!(json(&simulate_reusing(&one, Some(&base), &mut NoObserver)), json(&full), "{}", p.name);
            // A draw's headline outputs are the full run's.
            let draw = simulate_draw(&one, &base);
            assert_eq!(uncertainty::headline(&draw.summary), uncertainty::headline(&full.summary), "{}", p.name);
        }
        let reused = simulate_reusing(&all, Some(&base), &mut NoObserver);
        assert_eq!(json(&reused), json(&simulate(&all)));
        assert_ne!(json(&reused), json(&base), "the perturbation shows");
        // A scenario that differs in more than its parameters reuses nothing.
        let mut other = s.clone();
        other.simulation.seed += 1;
        assert_eq!(json(&simulate_reusing(&other, Some(&base), &mut NoObserver)), json(&simulate(&other)));
    }

    /// Determinism with the transport solver on: the same scenario on a 1-thread and a 2-thread
    /// pool gives the same summary and the same solves, bit for bit, in unit-cell and patch
    /// mode. The patch grid is larger than the solver's parallel threshold, so its parallel
    /// kernels and reductions really run.
    #[test]
    fn one_and_two_threads_give_the_same_bits_with_transport_on() {
        for mode in ["unit_cell", "patch"] {
            let mut s = scenario(mode);
            if mode == "patch" {
                s.simulation.window_mm = 2.0;
            }
            let run = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| simulate(&s))
            };
            let (one, two) = (run(1), run(2));
            assert!(one.delivery.errors.is_empty(), "{mode}: {:?}", one.delivery.errors);
            let json = |o: &Outcome| serde_json::to_string(&o.summary).unwrap();
            assert_eq!(json(&one), json(&two), "{mode}");
            assert!(!one.delivery.products.is_empty());
            for (name, d) in &one.delivery.products {
                let t = &two.delivery.products[name];
                assert_eq!(d.treated, t.treated, "{mode} {name}: treated result bit for bit");
                assert_eq!(d.intact, t.intact, "{mode} {name}: intact result bit for bit");
                if mode == "patch" {
                    assert!(
                        d.treated.cells > dermasim_transport::PAR_MIN,
                        "the patch grid ({} cells) must exceed the parallel threshold",
                        d.treated.cells
                    );
                }
            }
        }
    }

    #[test]
    fn observing_transport_progress_changes_no_number() {
        for mode in ["unit_cell", "patch"] {
            let s = scenario(mode);
            let plain = simulate(&s);
            let mut rec = Record::default();
            let observed = simulate_with(&s, &mut rec);
            let json = |o: &Outcome| serde_json::to_string(&o.summary).unwrap();
            assert_eq!(json(&plain), json(&observed), "{mode}");
            let n = if mode == "patch" { 1 } else { 2 };
            assert_eq!(plain.delivery.products.len(), n, "{mode}: {:?}", plain.delivery.errors);
            for (name, d) in &plain.delivery.products {
                let o = &observed.delivery.products[name];
                assert_eq!(d.treated, o.treated, "{mode} {name}: treated result bit for bit");
                assert_eq!(d.intact, o.intact, "{mode} {name}: intact result bit for bit");
                assert_eq!(d.treated.field.is_some(), mode == "patch", "{mode}: field only for a patch");
                assert!(d.intact.field.is_none());
            }
            // Per product: (intact + treated) solves × 24 output times, plus one call at its end.
            let f: Vec<f64> = rec.progress.iter().map(|p| p.1).collect();
            assert!(rec.progress.iter().all(|p| p.0 == "transport"));
            assert_eq!(f.len(), n * (2 * 24 + 1), "{mode}");
            assert!(f.windows(2).all(|w| w[0] <= w[1]), "{mode}: progress never goes back");
            assert!(f[0] > 0.15 && (f[f.len() - 1] - 0.98).abs() < 1e-12, "{mode}: {} .. {}", f[0], f[f.len() - 1]);
            let transport = rec.stages.iter().position(|s| s.0 == "transport").unwrap();
            assert_eq!(rec.stages[transport + 1].0, "summary");
        }
    }
}

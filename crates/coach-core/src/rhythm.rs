//! The rhythm planner (coaching-model R10–R19): from a manager's team, the
//! cadence of each kind of coaching, the manager's availability and their
//! rhythm preferences, it lays out recurring series (a weekday and a time,
//! every so many weeks) with a preparation block before each session, and
//! the load per week against capacity. A plan that is not viable is refused
//! with the numbers and the cuts that would make it fit, least harmful first
//! (R17); a session is never dropped silently. Pure and deterministic: the
//! same input gives the same plan.

use crate::coaching::SessionKind;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// One recurring need: a seller, a kind of coaching, how often, how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Demand {
    /// The seller.
    pub seller_id: String,
    /// The kind of coaching.
    pub kind: SessionKind,
    /// Every so many weeks (1 weekly, 4 monthly, 13 quarterly).
    pub every_weeks: u32,
    /// Minutes per session.
    pub minutes: u32,
}

/// Minutes as people say them: "45 min", "2 h", "1 h 30 min".
pub fn hours_text(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// An interval as people say it: "every week", "every 4 weeks", "as needed" (0).
pub fn every_text(weeks: u32) -> String {
    match weeks {
        0 => "as needed".to_owned(),
        1 => "every week".to_owned(),
        n => format!("every {n} weeks"),
    }
}

/// The research defaults (R10–R13): how often and how long, per kind.
pub fn default_cadence(kind: SessionKind) -> (u32, u32) {
    match kind {
        SessionKind::TerritoryTactical => (4, 60),
        SessionKind::TerritoryStrategic => (13, 60),
        SessionKind::Account => (4, 60),
        SessionKind::Opportunity => (4, 60),
        SessionKind::Call => (1, 30),
    }
}

/// Where the research puts each kind's cadence, for the pages that show it.
pub fn cadence_source(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::TerritoryTactical => "R10: tactical territory reviews monthly, an hour",
        SessionKind::TerritoryStrategic => "R10: strategic territory reviews quarterly, an hour",
        SessionKind::Account => "R11: monthly, an hour, for accounts that warrant a plan",
        SessionKind::Opportunity => "R12: monthly, an hour; less often for long sales cycles",
        SessionKind::Call => "R13: weekly as needed, 30 to 60 minutes, for important calls",
    }
}

/// Checks a cadence someone sets: every 1 to 26 weeks, 15 to 180 minutes
/// in steps of 5 (fewer, longer sessions, R14).
pub fn check_cadence(every_weeks: i64, minutes: i64) -> Result<(u32, u32), crate::FieldError> {
    let every = u32::try_from(every_weeks)
        .ok()
        .filter(|w| (1..=26).contains(w))
        .ok_or_else(|| crate::FieldError::new("every_weeks", "expected every 1 to 26 weeks"))?;
    let minutes = u32::try_from(minutes)
        .ok()
        .filter(|m| (15..=180).contains(m) && m % 5 == 0)
        .ok_or_else(|| {
            crate::FieldError::new("minutes", "expected 15 to 180 minutes, in steps of 5")
        })?;
    Ok((every, minutes))
}

/// What the planner knows of a seller to decide what coaching they need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerFacts {
    /// The seller.
    pub seller_id: String,
    /// How many key accounts they own (R11: account coaching only for them).
    pub key_accounts: u32,
    /// The median days from creation to close of their closed deals (R12).
    pub cycle_days: Option<u32>,
}

/// How often opportunity coaching comes for a sales cycle (R12): monthly up
/// to three months, every six weeks up to six, every eight beyond.
pub fn opportunity_weeks(monthly: u32, cycle_days: Option<u32>) -> u32 {
    match cycle_days {
        Some(d) if d > 180 => monthly * 2,
        Some(d) if d > 90 => monthly * 3 / 2,
        _ => monthly,
    }
}

/// The recurring coaching each seller needs under the cadence (R10–R13):
/// territory tactical and strategic for everyone, account coaching for
/// sellers with key accounts (R11), opportunity coaching less often for long
/// cycles (R12). Call coaching follows important calls as they come (R13),
/// so it is a series only when `weekly_calls` asks for it.
pub fn demands(
    cadence: &dyn Fn(SessionKind) -> (u32, u32),
    sellers: &[SellerFacts],
    weekly_calls: bool,
) -> Vec<Demand> {
    let mut out = Vec::new();
    for s in sellers {
        for kind in SessionKind::ALL {
            let (every, minutes) = cadence(*kind);
            let every_weeks = match kind {
                SessionKind::Account if s.key_accounts == 0 => continue,
                SessionKind::Call if !weekly_calls => continue,
                SessionKind::Opportunity => opportunity_weeks(every, s.cycle_days),
                _ => every,
            };
            out.push(Demand {
                seller_id: s.seller_id.clone(),
                kind: *kind,
                every_weeks,
                minutes,
            });
        }
    }
    out
}

/// When the manager can coach.
#[derive(Debug, Clone, PartialEq)]
pub struct Availability {
    /// Their time zone.
    pub time_zone: Tz,
    /// The working day's start, local time.
    pub day_start: NaiveTime,
    /// Its end.
    pub day_end: NaiveTime,
    /// The days they work.
    pub working_days: Vec<Weekday>,
    /// Days off.
    pub days_off: Vec<NaiveDate>,
    /// Busy times from their calendar.
    pub busy: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// The most minutes a week they can give coaching and its preparation.
    pub max_minutes_per_week: u32,
}

/// How the manager likes the rhythm (R18, R19): the defaults are what
/// managers who keep their rhythm do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    /// Days to coach on first (Monday and Friday, R19).
    pub coaching_days: Vec<Weekday>,
    /// The least time between two blocks (R19).
    pub break_minutes: u32,
    /// The preparation block, in per cent of the session's length (R18).
    pub prep_percent: u32,
    /// Spread a kind's sellers over the weeks of its cycle (R19).
    pub spread: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            coaching_days: vec![Weekday::Mon, Weekday::Fri],
            break_minutes: 15,
            prep_percent: 100,
            spread: true,
        }
    }
}

/// What the planner is asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// The first day of the horizon (its week starts on the Monday).
    pub start: NaiveDate,
    /// How many weeks to plan.
    pub weeks: u32,
    /// The recurring needs.
    pub demands: Vec<Demand>,
    /// When the manager can coach.
    pub availability: Availability,
    /// Rhythm preferences.
    pub preferences: Preferences,
}

/// One session of a series, with its preparation block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// The preparation block's start (R18).
    pub prep_starts_at: DateTime<Utc>,
    /// The session's start.
    pub starts_at: DateTime<Utc>,
    /// The session's end.
    pub ends_at: DateTime<Utc>,
    /// Moved off the series' weekday and time (a day off, a busy time).
    pub moved: bool,
    /// The series' weekday and time in this week: where the session would
    /// be had it not moved (a calendar's `RECURRENCE-ID`).
    pub slot: DateTime<Utc>,
}

/// A recurring series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// The seller.
    pub seller_id: String,
    /// The kind of coaching.
    pub kind: SessionKind,
    /// Every so many weeks.
    pub every_weeks: u32,
    /// Minutes per session.
    pub minutes: u32,
    /// The series' weekday.
    pub weekday: Weekday,
    /// Its local time.
    pub time: NaiveTime,
    /// Its sessions over the horizon.
    pub occurrences: Vec<Occurrence>,
}

/// Coaching and preparation in one week, against capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekLoad {
    /// The week's Monday.
    pub week: NaiveDate,
    /// Minutes of coaching.
    pub coaching: u32,
    /// Minutes of preparation.
    pub preparation: u32,
    /// The most the manager can give.
    pub capacity: u32,
}

/// A change that would make a plan fit, and what it saves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    /// The kind of coaching it changes.
    pub kind: SessionKind,
    /// How often now, in weeks.
    pub from_weeks: u32,
    /// How often after (0: as needed, no series).
    pub to_weeks: u32,
    /// Minutes saved a week on average, preparation included.
    pub saves_per_week: u32,
    /// Why this cut harms least.
    pub why: &'static str,
}

/// A plan that does not fit, with the numbers (R17).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Coaching and preparation needed a week, on average.
    pub needed_per_week: u32,
    /// What the manager has.
    pub capacity: u32,
    /// The cuts that would make it fit, least harmful first.
    pub cuts: Vec<Cut>,
    /// What is still needed a week after every cut listed: above capacity,
    /// no cut is enough.
    pub after_cuts: u32,
    /// Sessions no free time could be found for: seller, kind, week.
    pub unplaced: Vec<(String, SessionKind, NaiveDate)>,
}

/// The plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The series.
    pub series: Vec<Series>,
    /// The load of each week.
    pub load: Vec<WeekLoad>,
}

/// Average minutes a week of a demand, preparation included.
fn weekly(d: &Demand, prep_percent: u32) -> u32 {
    let per = d.minutes * (100 + prep_percent) / 100;
    per.div_ceil(d.every_weeks.max(1))
}

/// The cuts to propose, least harmful first: call coaching as needed rather
/// than as a series (R13), then account, territory-tactical and opportunity
/// coaching half as often, strategic territory reviews last.
fn cut_order() -> [(SessionKind, &'static str); 5] {
    [
        (
            SessionKind::Call,
            "call coaching can follow important calls as they come (R13)",
        ),
        (
            SessionKind::Account,
            "account coaching is for the accounts that warrant a plan (R11)",
        ),
        (
            SessionKind::TerritoryTactical,
            "a territory keeps its plan between reviews (R10)",
        ),
        (
            SessionKind::Opportunity,
            "long sales cycles need opportunity coaching less often (R12)",
        ),
        (
            SessionKind::TerritoryStrategic,
            "strategic reviews are quarterly at most (R10)",
        ),
    ]
}

/// Why a plan does not fit, in a sentence a manager reads: the average
/// load against capacity, or, when the average fits, the sessions no free
/// time was found for.
pub fn refusal_text(r: &Refusal) -> String {
    if r.needed_per_week > r.capacity {
        format!(
            "coaching and preparation need {} a week on average, and {} are available",
            hours_text(r.needed_per_week),
            hours_text(r.capacity)
        )
    } else {
        format!(
            "on average it needs {} of your {} a week, but some weeks are full: no free time was found for {} session{} within the working day",
            hours_text(r.needed_per_week),
            hours_text(r.capacity),
            r.unplaced.len(),
            if r.unplaced.len() == 1 { "" } else { "s" }
        )
    }
}

/// The needs after a cut of one kind: call coaching as needed (no series),
/// any other kind half as often.
pub fn apply_cut(demands: Vec<Demand>, kind: SessionKind) -> Vec<Demand> {
    demands
        .into_iter()
        .filter_map(|mut d| {
            if d.kind != kind {
                return Some(d);
            }
            if kind == SessionKind::Call {
                return None;
            }
            d.every_weeks = d.every_weeks.saturating_mul(2);
            Some(d)
        })
        .collect()
}

/// The cuts that bring the average load within capacity, in order.
fn cuts_to_fit(demands: &[Demand], prep_percent: u32, capacity: u32) -> (Vec<Cut>, u32) {
    let mut current: Vec<Demand> = demands.to_vec();
    let total = |ds: &[Demand]| ds.iter().map(|d| weekly(d, prep_percent)).sum::<u32>();
    let mut cuts = Vec::new();
    // Kinds already made less frequent (twice their usual interval or more)
    // come after those not cut yet.
    let already = |kind: SessionKind| {
        demands
            .iter()
            .any(|d| d.kind == kind && d.every_weeks >= 2 * default_cadence(kind).0)
    };
    let mut order = cut_order().to_vec();
    order.sort_by_key(|(kind, _)| already(*kind));
    for (kind, why) in order {
        if total(&current) <= capacity {
            break;
        }
        let of_kind: Vec<&Demand> = current.iter().filter(|d| d.kind == kind).collect();
        let Some(first) = of_kind.first() else {
            continue;
        };
        let from = first.every_weeks;
        let to = if kind == SessionKind::Call {
            0
        } else {
            from * 2
        };
        let before = total(&current);
        current = apply_cut(current, kind);
        cuts.push(Cut {
            kind,
            from_weeks: from,
            to_weeks: to,
            saves_per_week: before - total(&current),
            why,
        });
    }
    let after = total(&current);
    (cuts, after)
}

/// A block of the manager's time, prep start to session end.
type Block = (DateTime<Utc>, DateTime<Utc>);

struct Calendar<'a> {
    input: &'a Input,
    /// The blocks placed, by local day.
    taken: std::collections::BTreeMap<NaiveDate, Vec<Block>>,
    /// The busy times, by the local days they touch.
    busy: std::collections::BTreeMap<NaiveDate, Vec<Block>>,
    load: Vec<u32>,
}

impl Calendar<'_> {
    fn monday(&self) -> NaiveDate {
        let s = self.input.start;
        s - Duration::days(i64::from(s.weekday().num_days_from_monday()))
    }

    fn local(&self, day: NaiveDate, t: NaiveTime) -> Option<DateTime<Utc>> {
        self.input
            .availability
            .time_zone
            .from_local_datetime(&day.and_time(t))
            .earliest()
            .map(|d| d.with_timezone(&Utc))
    }

    /// The occurrence at `day` and local `time`, if it fits the working day,
    /// the calendar, the breaks and the week's capacity.
    fn fits(
        &self,
        week: usize,
        day: NaiveDate,
        time: NaiveTime,
        minutes: u32,
    ) -> Option<Occurrence> {
        let a = &self.input.availability;
        let p = &self.input.preferences;
        if day < self.input.start
            || !a.working_days.contains(&day.weekday())
            || a.days_off.contains(&day)
        {
            return None;
        }
        let prep = i64::from(minutes * p.prep_percent / 100);
        let length = i64::from(minutes);
        let prep_time = time - Duration::minutes(prep);
        if prep_time > time
            || prep_time < a.day_start
            || time + Duration::minutes(length) > a.day_end
            || time + Duration::minutes(length) < time
        {
            return None;
        }
        let prep_starts_at = self.local(day, prep_time)?;
        let starts_at = self.local(day, time)?;
        let ends_at = starts_at + Duration::minutes(length);
        if self.load[week] + (prep + length) as u32 > a.max_minutes_per_week {
            return None;
        }
        let gap = Duration::minutes(i64::from(p.break_minutes));
        let clash = |(s, e): &Block| prep_starts_at < *e + gap && *s < ends_at + gap;
        let busy = |(s, e): &Block| prep_starts_at < *e && *s < ends_at;
        if self.taken.get(&day).is_some_and(|b| b.iter().any(clash))
            || self.busy.get(&day).is_some_and(|b| b.iter().any(busy))
        {
            return None;
        }
        Some(Occurrence {
            prep_starts_at,
            starts_at,
            ends_at,
            moved: false,
            slot: starts_at,
        })
    }

    fn take(&mut self, week: usize, o: &Occurrence) {
        let day = o
            .starts_at
            .with_timezone(&self.input.availability.time_zone)
            .date_naive();
        self.taken
            .entry(day)
            .or_default()
            .push((o.prep_starts_at, o.ends_at));
        self.load[week] += ((o.ends_at - o.prep_starts_at).num_minutes()) as u32;
    }

    /// Candidate days of a week: the preferred coaching days first, then the
    /// other working days, each in week order.
    fn days(&self, week: usize) -> Vec<NaiveDate> {
        let monday = self.monday() + Duration::weeks(week as i64);
        let all: Vec<NaiveDate> = (0..7).map(|i| monday + Duration::days(i)).collect();
        let preferred = &self.input.preferences.coaching_days;
        let mut out: Vec<NaiveDate> = all
            .iter()
            .copied()
            .filter(|d| preferred.contains(&d.weekday()))
            .collect();
        out.extend(
            all.iter()
                .copied()
                .filter(|d| !preferred.contains(&d.weekday())),
        );
        out
    }

    fn times(&self) -> Vec<NaiveTime> {
        let a = &self.input.availability;
        let mut t = a.day_start;
        let mut out = Vec::new();
        while t < a.day_end {
            out.push(t);
            let next = t + Duration::minutes(15);
            if next <= t {
                break;
            }
            t = next;
        }
        out
    }
}

/// Plans the rhythm: the series, or a refusal with the numbers (R17).
pub fn plan(input: &Input) -> Result<Plan, Refusal> {
    let prep = input.preferences.prep_percent;
    let capacity = input.availability.max_minutes_per_week;
    let needed: u32 = input.demands.iter().map(|d| weekly(d, prep)).sum();
    if needed > capacity {
        let (cuts, after_cuts) = cuts_to_fit(&input.demands, prep, capacity);
        return Err(Refusal {
            needed_per_week: needed,
            capacity,
            cuts,
            after_cuts,
            unplaced: Vec::new(),
        });
    }
    let weeks = input.weeks as usize;
    let tz = input.availability.time_zone;
    let mut busy: std::collections::BTreeMap<NaiveDate, Vec<Block>> = Default::default();
    for (s, e) in &input.availability.busy {
        let mut day = s.with_timezone(&tz).date_naive();
        let last = e.with_timezone(&tz).date_naive();
        while day <= last {
            busy.entry(day).or_default().push((*s, *e));
            day += Duration::days(1);
        }
    }
    let mut cal = Calendar {
        input,
        taken: Default::default(),
        busy,
        load: vec![0; weeks],
    };
    // Longer cycles first (they are hardest to place), then by kind and seller.
    let mut order: Vec<&Demand> = input.demands.iter().collect();
    order.sort_by(|a, b| {
        b.every_weeks
            .cmp(&a.every_weeks)
            .then(a.kind.cmp(&b.kind))
            .then(a.seller_id.cmp(&b.seller_id))
    });
    let mut seen_of_kind: std::collections::BTreeMap<(SessionKind, u32), usize> =
        Default::default();
    let mut series = Vec::new();
    let mut unplaced = Vec::new();
    for d in order {
        let every = d.every_weeks.max(1) as usize;
        let index = seen_of_kind.entry((d.kind, d.every_weeks)).or_insert(0);
        // Spread over the weeks of the cycle (R19): start where the busiest
        // of the weeks this series falls in is least busy; ties go round the
        // sellers in turn.
        let offset = if input.preferences.spread {
            let load_of = |o: usize| -> u32 {
                (o..weeks)
                    .step_by(every)
                    .map(|w| cal.load[w])
                    .max()
                    .unwrap_or(0)
            };
            (0..every.min(weeks.max(1)))
                .map(|k| (*index + k) % every)
                .min_by_key(|o| load_of(*o))
                .unwrap_or(0)
        } else {
            0
        };
        *index += 1;
        let weeks_of: Vec<usize> = (offset..weeks).step_by(every).collect();
        // The pattern (weekday and time) that fits the most of its weeks,
        // the earliest such. A preferred coaching day (R19) that fits three
        // weeks in four wins over another day that fits them all: the odd
        // occurrence moves within its week.
        let mut best: Option<(usize, Weekday, NaiveTime)> = None;
        if let Some(&w0) = weeks_of.first() {
            let preferred = &input.preferences.coaching_days;
            let enough = |n: usize| n * 4 >= weeks_of.len() * 3;
            let mut passed_preferred = false;
            'search: for day in cal.days(w0) {
                if !passed_preferred && !preferred.contains(&day.weekday()) {
                    passed_preferred = true;
                    if best.is_some_and(|(n, _, _)| enough(n)) {
                        break 'search;
                    }
                }
                for time in cal.times() {
                    let fitting = weeks_of
                        .iter()
                        .filter(|&&w| {
                            let day_w = day + Duration::weeks((w - w0) as i64);
                            cal.fits(w, day_w, time, d.minutes).is_some()
                        })
                        .count();
                    if best.is_none_or(|(n, _, _)| fitting > n) {
                        best = Some((fitting, day.weekday(), time));
                        if fitting == weeks_of.len() {
                            break 'search;
                        }
                    }
                }
            }
        }
        let Some((_, weekday, time)) = best else {
            for w in weeks_of {
                unplaced.push((
                    d.seller_id.clone(),
                    d.kind,
                    cal.monday() + Duration::weeks(w as i64),
                ));
            }
            continue;
        };
        let mut occurrences = Vec::new();
        for w in weeks_of {
            let monday = cal.monday() + Duration::weeks(w as i64);
            let day = monday + Duration::days(i64::from(weekday.num_days_from_monday()));
            let placed = cal.fits(w, day, time, d.minutes).or_else(|| {
                // Moved within its week, to the first free time.
                cal.days(w).into_iter().find_map(|day| {
                    cal.times()
                        .into_iter()
                        .find_map(|t| cal.fits(w, day, t, d.minutes))
                        .map(|o| Occurrence { moved: true, ..o })
                })
            });
            match placed {
                Some(mut o) => {
                    o.slot = cal.local(day, time).unwrap_or(o.starts_at);
                    cal.take(w, &o);
                    occurrences.push(o);
                }
                None => unplaced.push((d.seller_id.clone(), d.kind, monday)),
            }
        }
        series.push(Series {
            seller_id: d.seller_id.clone(),
            kind: d.kind,
            every_weeks: d.every_weeks,
            minutes: d.minutes,
            weekday,
            time,
            occurrences,
        });
    }
    if !unplaced.is_empty() {
        let (cuts, after_cuts) =
            cuts_to_fit(&input.demands, prep, needed.saturating_sub(1).min(capacity));
        return Err(Refusal {
            needed_per_week: needed,
            capacity,
            cuts,
            after_cuts,
            unplaced,
        });
    }
    series.sort_by(|a, b| a.seller_id.cmp(&b.seller_id).then(a.kind.cmp(&b.kind)));
    let load = (0..weeks)
        .map(|w| {
            let mut coaching = 0;
            let mut preparation = 0;
            let monday = cal.monday() + Duration::weeks(w as i64);
            for o in series.iter().flat_map(|s| &s.occurrences) {
                let day = o
                    .starts_at
                    .with_timezone(&input.availability.time_zone)
                    .date_naive();
                if day >= monday && day < monday + Duration::weeks(1) {
                    coaching += (o.ends_at - o.starts_at).num_minutes() as u32;
                    preparation += (o.starts_at - o.prep_starts_at).num_minutes() as u32;
                }
            }
            WeekLoad {
                week: monday,
                coaching,
                preparation,
                capacity,
            }
        })
        .collect();
    Ok(Plan { series, load })
}

#[cfg(test)]
mod tests;

//! The demo's CRM: accounts, contacts, opportunities in every buying stage
//! with their stage histories, and calls, for every demo seller. Written as
//! the CSV files a CRM export would be and loaded through the importer, so the
//! demo also shows the import at work. Dates are relative to the day the demo
//! is made, so it always looks current; everything else comes from the seed.

use chrono::{Datelike as _, Duration, NaiveDate};
use rand::Rng as _;
use rand::SeedableRng as _;
use rand::seq::IndexedRandom as _;
use rand_chacha::ChaCha8Rng;

const PREFIX: &[&str] = &[
    "Northwind",
    "Bluefield",
    "Cedar",
    "Harbor",
    "Summit",
    "Redwood",
    "Lakeside",
    "Ironbridge",
    "Silverline",
    "Brightwater",
    "Oakridge",
    "Granite",
    "Meridian",
    "Sterling",
    "Evergreen",
    "Falcon",
    "Horizon",
    "Juniper",
    "Keystone",
    "Pioneer",
];
const SUFFIX: &[(&str, &str)] = &[
    ("Logistics", "Transport"),
    ("Health", "Healthcare"),
    ("Foods", "Food & beverage"),
    ("Energy", "Energy"),
    ("Bank", "Financial services"),
    ("Retail", "Retail"),
    ("Manufacturing", "Manufacturing"),
    ("Software", "Technology"),
];
const FIRST: &[&str] = &[
    "Alice", "Bruno", "Carmen", "Daniel", "Emma", "Felix", "Greta", "Hassan", "Isabel", "Jakob",
    "Leila", "Marco", "Nadia", "Oscar", "Paula", "Rafael", "Sofia", "Tomas", "Ursula", "Victor",
];
const LAST: &[&str] = &[
    "Andersen", "Bauer", "Carvalho", "Dupont", "Eriksen", "Ferrari", "Gomez", "Hansen", "Ivanova",
    "Jansen", "Klein", "Larsen", "Meyer", "Nowak", "Olsen", "Pereira", "Richter", "Schmidt",
];
const TITLES: &[(&str, &str, &str)] = &[
    ("Chief Financial Officer", "decision_maker", "neutral"),
    ("Head of Operations", "champion", "supporter"),
    ("IT Director", "influencer", "neutral"),
    ("Procurement Manager", "gatekeeper", "opponent"),
    ("Team Lead", "user", "supporter"),
    ("COO", "decision_maker", "supporter"),
];
/// CRM stage names in the order a deal moves, with the default map's buying stage.
const STAGES: &[&str] = &[
    "Prospecting",
    "Value Proposition",
    "Proposal/Price Quote",
    "Negotiation/Review",
];
const DEALS: &[&str] = &[
    "Fleet renewal",
    "Pilot",
    "Expansion",
    "Platform rollout",
    "Service contract",
    "Upgrade",
    "Multi-year agreement",
    "Add-on licences",
];
const CALLS: &[(&str, &str, &str)] = &[
    (
        "Discovery call",
        "phone",
        "Learned the buying process and who signs",
    ),
    (
        "On-site visit",
        "meeting",
        "Met the operations team; agreed next step",
    ),
    (
        "Product demo",
        "demo",
        "Demo went well; IT asked about integrations",
    ),
    (
        "Proposal walkthrough",
        "presentation",
        "CFO wants a phased price",
    ),
    (
        "Follow-up",
        "video",
        "Concerns about the timeline were raised",
    ),
    (
        "Check-in",
        "phone",
        "No change; waiting for the budget decision",
    ),
];

/// The demo's CRM exports: `(kind, earlier snapshot, file)`; the opportunity
/// file comes twice, an earlier one first, so stage histories show movement.
pub fn files(sellers: &[String], today: NaiveDate) -> Vec<(&'static str, String)> {
    let mut rng = ChaCha8Rng::seed_from_u64(super::demo::SEED ^ 0x0c12);
    let mut accounts =
        String::from("source_id,name,owner,segment,tier,potential,currency,key_account\n");
    let mut contacts =
        String::from("source_id,name,owner,account,title,email,buying_role,stance\n");
    let opp_header = "source_id,name,owner,account,amount,currency,stage,close_date,created_date,crm_updated,next_step,importance,complexity\n";
    let mut before = String::from(opp_header);
    let mut now = String::from(opp_header);
    let mut calls = String::from(
        "source_id,subject,owner,occurred_at,kind,account,opportunity,contacts,importance,outcome\n",
    );
    let (mut a_n, mut c_n, mut o_n, mut k_n) = (0, 0, 0, 0);
    let day = |d: i64| (today + Duration::days(d)).format("%Y-%m-%d").to_string();
    for (s, seller) in sellers.iter().enumerate() {
        for a in 0..5 {
            a_n += 1;
            let account = format!("ACC-{a_n:04}");
            let name = format!(
                "{} {}",
                PREFIX[(s * 5 + a) % PREFIX.len()],
                SUFFIX[(s + a * 3) % SUFFIX.len()].0
            );
            let segment = SUFFIX[(s + a * 3) % SUFFIX.len()].1;
            let tier = ["A", "B", "B", "C", "C"][a];
            let potential = rng.random_range(20..400) * 1000;
            accounts.push_str(&format!(
                "{account},{name},{seller},{segment},{tier},{potential}.00,EUR,{}\n",
                a < 2
            ));
            let mut people = Vec::new();
            for _ in 0..rng.random_range(2..4) {
                c_n += 1;
                let id = format!("CON-{c_n:05}");
                let first = FIRST.choose(&mut rng).unwrap_or(&"Alex");
                let last = LAST.choose(&mut rng).unwrap_or(&"Smith");
                let (title, role, stance) = TITLES[c_n % TITLES.len()];
                let domain = name.to_lowercase().replace(' ', "");
                contacts.push_str(&format!(
                    "{id},{first} {last},{seller},{account},{title},{}.{}@{domain}.example,{role},{stance}\n",
                    first.to_lowercase(),
                    last.to_lowercase()
                ));
                people.push(id);
            }
            // One open deal per account, and a closed one on the first two.
            let deals = if a < 2 { 2 } else { 1 };
            for d in 0..deals {
                o_n += 1;
                let id = format!("OPP-{o_n:05}");
                let title = DEALS[(o_n + d) % DEALS.len()];
                let amount = rng.random_range(8..250) * 500;
                let created = -rng.random_range(40..160);
                let (stage_then, stage_now) = if d == 1 {
                    let won = o_n % 3 != 0;
                    (
                        "Negotiation/Review",
                        if won { "Closed Won" } else { "Closed Lost" },
                    )
                } else {
                    let i = (s + a) % STAGES.len();
                    (STAGES[i.saturating_sub(1)], STAGES[i])
                };
                let close = if d == 1 {
                    -rng.random_range(1..30)
                } else {
                    rng.random_range(10..120)
                };
                let importance = ["high", "medium", "low"][o_n % 3];
                let complexity = ["medium", "high", "low", "medium"][o_n % 4];
                let moved = -rng.random_range(0..14);
                let row = |stage: &str, updated: i64, step: &str| {
                    format!(
                        "{id},{name} – {title},{seller},{account},{amount}.00,EUR,{stage},{},{},{}T09:00:00Z,{step},{importance},{complexity}\n",
                        day(close),
                        day(created),
                        day(updated)
                    )
                };
                before.push_str(&row(stage_then, created + 10, "Qualify the budget"));
                now.push_str(&row(
                    stage_now,
                    moved,
                    if d == 1 {
                        ""
                    } else {
                        "Agree the evaluation criteria"
                    },
                ));
                for c in 0..rng.random_range(1..4) {
                    k_n += 1;
                    let (subject, kind, outcome) = CALLS[(k_n + c) % CALLS.len()];
                    let when = today - Duration::days(rng.random_range(1..42));
                    let hour = rng.random_range(8..17);
                    let met = people
                        .iter()
                        .take(1 + c % 2)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(";");
                    calls.push_str(&format!(
                        "CALL-{k_n:05},{subject},{seller},{}T{hour:02}:00:00Z,{kind},{account},{id},{met},{},{outcome}\n",
                        when.format("%Y-%m-%d"),
                        ["high", "medium", "low"][k_n % 3]
                    ));
                }
            }
        }
    }
    territory(sellers, today, &mut accounts, &mut calls);
    vec![
        ("accounts", accounts),
        ("contacts", contacts),
        ("opportunities", before),
        ("opportunities", now),
        ("calls", calls),
    ]
}

/// Territory work (R6): five prospects per seller besides their customers,
/// and meetings and video calls on all their accounts over the five months
/// before this one, more on the first accounts, and more often made by the
/// sellers of the first manager than by those of the third.
fn territory(sellers: &[String], today: NaiveDate, accounts: &mut String, calls: &mut String) {
    let mut rng = ChaCha8Rng::seed_from_u64(super::demo::SEED ^ 0x7e11);
    let (mut p_n, mut k_n) = (0, 0);
    for (s, seller) in sellers.iter().enumerate() {
        let mut ids: Vec<String> = (1..=5).map(|a| format!("ACC-{:04}", s * 5 + a)).collect();
        for a in 0..5 {
            p_n += 1;
            let id = format!("PRO-{p_n:04}");
            let (suffix, segment) = SUFFIX[(s * 2 + a) % SUFFIX.len()];
            let name = format!(
                "{} {suffix} Group",
                PREFIX[(s * 7 + a * 5 + 3) % PREFIX.len()]
            );
            let potential = rng.random_range(10..300) * 1000;
            accounts.push_str(&format!(
                "{id},{name},{seller},{segment},C,{potential}.00,EUR,false\n"
            ));
            ids.push(id);
        }
        let diligence = [0.9, 0.6, 0.4][(s / 8).min(2)];
        for back in 1..=5u32 {
            let months = today.year() * 12 + today.month0() as i32 - back as i32;
            let Some(start) =
                NaiveDate::from_ymd_opt(months.div_euclid(12), months.rem_euclid(12) as u32 + 1, 1)
            else {
                continue;
            };
            for (i, account) in ids.iter().enumerate() {
                let planned = match i {
                    0 => 2,
                    1 | 2 => 1,
                    _ => usize::from(rng.random_bool(0.3)),
                };
                for _ in 0..planned {
                    if !rng.random_bool(diligence) {
                        continue;
                    }
                    k_n += 1;
                    let when = start + Duration::days(rng.random_range(0..27));
                    let kind = if k_n % 2 == 0 { "meeting" } else { "video" };
                    calls.push_str(&format!(
                        "TCALL-{k_n:05},Account review,{seller},{}T10:00:00Z,{kind},{account},,,medium,Reviewed their plans\n",
                        when.format("%Y-%m-%d")
                    ));
                }
            }
        }
    }
}

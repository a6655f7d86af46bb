use super::*;
use std::collections::BTreeMap;

#[derive(Default)]
struct Plan {
    notes: BTreeMap<Evidence, String>,
    concerns: Vec<Concern>,
}

impl Known for Plan {
    fn note(&self, e: Evidence) -> &str {
        self.notes.get(&e).map_or("", String::as_str)
    }
    fn concerns(&self) -> &[Concern] {
        &self.concerns
    }
}

fn with(evidence: &[Evidence]) -> Plan {
    let mut plan = Plan::default();
    for e in evidence {
        plan.notes.insert(*e, format!("{} noted", e.label()));
    }
    plan
}

fn concern(text: &str, addressed: bool) -> Concern {
    Concern {
        text: text.to_owned(),
        response: String::new(),
        addressed,
    }
}

const STAGE_ONE: [Evidence; 4] = [
    Evidence::BuyingProcess,
    Evidence::DecisionMakers,
    Evidence::Needs,
    Evidence::Budget,
];

#[test]
fn every_stage_asks_for_the_evidence_of_r21() {
    let of = |s| Evidence::of(s).collect::<Vec<_>>();
    assert_eq!(of(BuyingStage::IdentifyNeeds), STAGE_ONE);
    assert_eq!(
        of(BuyingStage::EstablishCriteria),
        [Evidence::Criteria, Evidence::Competitors]
    );
    assert_eq!(
        of(BuyingStage::AssessSolutions),
        [Evidence::ViewOfOurs, Evidence::ViewOfCompetitors]
    );
    assert_eq!(
        of(BuyingStage::MitigateRisks),
        [
            Evidence::Concerns,
            Evidence::Terms,
            Evidence::Implementation
        ]
    );
    assert_eq!(of(BuyingStage::ClosedWon), []);
}

#[test]
fn the_stage_the_evidence_supports_is_the_first_with_something_missing() {
    assert_eq!(
        Plan::default().supported_stage(),
        BuyingStage::IdentifyNeeds
    );
    assert_eq!(
        with(&STAGE_ONE[..3]).supported_stage(),
        BuyingStage::IdentifyNeeds
    );
    assert_eq!(
        with(&STAGE_ONE).supported_stage(),
        BuyingStage::EstablishCriteria
    );
    // Later evidence does not make up for a gap earlier on.
    let mut gap = with(&[
        Evidence::Criteria,
        Evidence::Competitors,
        Evidence::ViewOfOurs,
    ]);
    assert_eq!(gap.supported_stage(), BuyingStage::IdentifyNeeds);
    for e in STAGE_ONE {
        gap.notes.insert(e, "in".into());
    }
    assert_eq!(gap.supported_stage(), BuyingStage::AssessSolutions);
    let all = with(Evidence::ALL);
    assert_eq!(all.supported_stage(), BuyingStage::MitigateRisks);
}

#[test]
fn a_blank_note_is_not_evidence() {
    let mut plan = with(&[Evidence::Budget]);
    assert!(plan.has(Evidence::Budget));
    plan.notes.insert(Evidence::Budget, "  \n ".into());
    assert!(!plan.has(Evidence::Budget));
}

#[test]
fn concerns_are_in_once_surfaced_and_all_addressed() {
    let mut plan = Plan::default();
    assert!(!plan.has(Evidence::Concerns), "none surfaced yet");
    plan.concerns = vec![concern("Price", true), concern("Security review", false)];
    assert!(!plan.has(Evidence::Concerns));
    assert_eq!(plan.open_concerns(), 1);
    plan.concerns[1].addressed = true;
    assert!(plan.has(Evidence::Concerns));
    assert_eq!(plan.open_concerns(), 0);
}

#[test]
fn a_deal_moves_forward_only_with_the_evidence_of_every_earlier_stage() {
    let plan = with(&[Evidence::BuyingProcess, Evidence::Needs]);
    let err = check_move(
        &plan,
        BuyingStage::IdentifyNeeds,
        BuyingStage::EstablishCriteria,
    )
    .err()
    .map(|e| (e.field, e.message));
    assert_eq!(
        err,
        Some((
            "stage",
            "Establish criteria needs the buyer's evidence first: decision-makers and influencers and budget \
             (R24: the stage is set by what the buyer shows, not by what we did)"
                .to_owned()
        ))
    );
    let ready = with(&STAGE_ONE);
    assert_eq!(
        check_move(
            &ready,
            BuyingStage::IdentifyNeeds,
            BuyingStage::EstablishCriteria
        ),
        Ok(())
    );
    // Skipping a stage needs that stage's evidence too.
    let skip = check_move(
        &ready,
        BuyingStage::IdentifyNeeds,
        BuyingStage::AssessSolutions,
    );
    assert!(skip.is_err_and(|e| {
        e.message
            .contains("buying criteria and competitors considered")
    }));
    // Back is always allowed; closing is the CRM's.
    assert_eq!(
        check_move(
            &Plan::default(),
            BuyingStage::MitigateRisks,
            BuyingStage::IdentifyNeeds
        ),
        Ok(())
    );
    assert!(
        check_move(
            &with(Evidence::ALL),
            BuyingStage::MitigateRisks,
            BuyingStage::ClosedWon
        )
        .is_err()
    );
}

#[test]
fn a_deal_past_the_first_stage_without_criteria_is_flagged() {
    let none = Plan::default();
    assert_eq!(criteria_flag(&none, BuyingStage::IdentifyNeeds), None);
    assert!(
        criteria_flag(&none, BuyingStage::EstablishCriteria).is_some_and(|f| f.contains("R22"))
    );
    assert!(criteria_flag(&none, BuyingStage::MitigateRisks).is_some());
    assert_eq!(criteria_flag(&none, BuyingStage::ClosedLost), None);
    assert_eq!(
        criteria_flag(&with(&[Evidence::Criteria]), BuyingStage::AssessSolutions),
        None
    );
}

#[test]
fn the_crm_ahead_of_the_evidence_is_said_plainly() {
    assert_eq!(
        crm_ahead(BuyingStage::AssessSolutions, BuyingStage::IdentifyNeeds).as_deref(),
        Some(
            "The CRM has this deal in Assess solutions; the buyer's evidence supports Identify needs (R24)."
        )
    );
    assert_eq!(
        crm_ahead(BuyingStage::IdentifyNeeds, BuyingStage::EstablishCriteria),
        None
    );
    assert_eq!(
        crm_ahead(BuyingStage::ClosedWon, BuyingStage::IdentifyNeeds),
        None
    );
}

#[test]
fn negotiation_waits_for_every_concern_unless_a_reason_is_given() {
    let mut plan = with(Evidence::ALL);
    plan.concerns = vec![
        concern("Price", false),
        concern("Timing", false),
        concern("Legal", true),
    ];
    let refused = check_negotiation(&plan, BuyingStage::MitigateRisks, None).err();
    assert_eq!(refused.as_ref().map(|e| e.field), Some("override_reason"));
    assert!(refused.is_some_and(|e| e.message.starts_with("2 buyer concerns are still open")));
    assert!(check_negotiation(&plan, BuyingStage::MitigateRisks, Some("   ")).is_err());
    assert_eq!(
        check_negotiation(
            &plan,
            BuyingStage::MitigateRisks,
            Some(" Quarter-end pricing expires ")
        )
        .ok(),
        Some(Some("Quarter-end pricing expires".to_owned()))
    );
    plan.concerns[0].addressed = true;
    plan.concerns[1].addressed = true;
    assert_eq!(
        check_negotiation(&plan, BuyingStage::MitigateRisks, None),
        Ok(None)
    );
    assert!(
        check_negotiation(&plan, BuyingStage::AssessSolutions, None)
            .is_err_and(|e| e.field == "stage")
    );
}

#[test]
fn a_verdict_comes_with_its_reasons() {
    assert_eq!(check_verdict(Verdict::Undecided, ""), Ok(()));
    assert!(check_verdict(Verdict::Pursue, " ").is_err_and(|e| e.field == "verdict_reasons"));
    assert_eq!(check_verdict(Verdict::Drop, "No budget this year"), Ok(()));
    assert_eq!("no go".parse(), Ok(Verdict::Drop));
}

#[test]
fn formality_rules_pick_the_deals_that_need_a_plan() {
    let rules = Formality {
        min_amount: Some(Decimal::from(100_000)),
        currency: Some("EUR".into()),
        from_stage: BuyingStage::EstablishCriteria,
        ..Formality::default()
    };
    let deal = |stage, amount: i64, currency, importance, complexity| Deal {
        stage,
        amount: Some(Decimal::from(amount)),
        currency: Some(currency),
        importance,
        complexity,
    };
    let big = deal(BuyingStage::AssessSolutions, 150_000, "EUR", None, None);
    assert_eq!(rules.reasons(&big), ["amount of at least 100000 EUR"]);
    assert_eq!(
        rules.sentence(&big),
        "A formal plan is required: amount of at least 100000 EUR (R16)."
    );
    // Too early, another currency, or small and simple: no plan needed.
    let early = deal(
        BuyingStage::IdentifyNeeds,
        150_000,
        "EUR",
        Some(Level::High),
        None,
    );
    assert!(rules.reasons(&early).is_empty());
    let dollars = deal(BuyingStage::AssessSolutions, 150_000, "USD", None, None);
    assert!(rules.reasons(&dollars).is_empty());
    let small = deal(
        BuyingStage::AssessSolutions,
        5_000,
        "EUR",
        Some(Level::Medium),
        Some(Level::Low),
    );
    assert_eq!(
        rules.sentence(&small),
        "No formal plan is required for this deal (R16)."
    );
    // Any one rule is enough; every one that holds is named.
    let complex = deal(
        BuyingStage::MitigateRisks,
        200_000,
        "eur",
        Some(Level::High),
        Some(Level::High),
    );
    assert_eq!(
        rules.reasons(&complex),
        [
            "amount of at least 100000 EUR",
            "high importance",
            "high complexity"
        ]
    );
    let closed = deal(
        BuyingStage::ClosedWon,
        200_000,
        "EUR",
        Some(Level::High),
        None,
    );
    assert!(rules.reasons(&closed).is_empty());
}

#[test]
fn formality_rules_are_checked() {
    let bad = Formality {
        min_amount: Some(Decimal::ZERO),
        ..Formality::default()
    };
    assert!(
        bad.checked()
            .is_err_and(|e| e.field == "formal_plan_min_amount")
    );
    let closed = Formality {
        from_stage: BuyingStage::ClosedWon,
        ..Formality::default()
    };
    assert!(
        closed
            .checked()
            .is_err_and(|e| e.field == "formal_plan_from_stage")
    );
    let currency = Formality {
        currency: Some("euro".into()),
        ..Formality::default()
    };
    assert!(
        currency
            .checked()
            .is_err_and(|e| e.field == "formal_plan_currency")
    );
    let fine = Formality {
        currency: Some(" eur ".into()),
        ..Formality::default()
    };
    assert_eq!(fine.checked().map(|f| f.currency), Ok(Some("EUR".into())));
}

#[test]
fn the_flags_name_what_a_manager_should_notice() {
    let none = Plan::default();
    assert_eq!(
        flags(
            &none,
            BuyingStage::IdentifyNeeds,
            BuyingStage::AssessSolutions
        ),
        [
            "The CRM has this deal in Assess solutions; the buyer's evidence supports Identify needs (R24).",
            "Past the first stage with no buying criteria: the buyer may not be serious (R22).",
        ]
    );
    let stage_one = with(&STAGE_ONE[1..]);
    assert_eq!(
        flags(
            &stage_one,
            BuyingStage::EstablishCriteria,
            BuyingStage::ClosedWon
        ),
        [
            "Past the first stage with no buying criteria: the buyer may not be serious (R22).",
            "Establish criteria stands without buying process: move the deal back or record the evidence (R24).",
        ]
    );
    assert!(
        flags(
            &with(&STAGE_ONE),
            BuyingStage::IdentifyNeeds,
            BuyingStage::IdentifyNeeds
        )
        .is_empty()
    );
}

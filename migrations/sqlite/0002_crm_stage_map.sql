-- How each organization's CRM stage names map onto the buying stages of the
-- coaching model (R21). The import refuses a stage that is not mapped.

CREATE TABLE crm_stage_map (
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    crm_key    TEXT NOT NULL,
    crm_stage  TEXT NOT NULL,
    stage      TEXT NOT NULL,
    PRIMARY KEY (org_id, crm_key)
);

-- Organizations that exist already start from the default map for Salesforce
-- and HubSpot stage names (coach_core::crm::StageMap::default_for_common_crms).
INSERT INTO crm_stage_map (org_id, crm_key, crm_stage, stage)
SELECT o.id, d.crm_key, d.crm_stage, d.stage
FROM organizations o CROSS JOIN (
    SELECT 'prospecting' AS crm_key, 'Prospecting' AS crm_stage, 'identify_needs' AS stage
    UNION ALL SELECT 'qualification' AS crm_key, 'Qualification' AS crm_stage, 'identify_needs' AS stage
    UNION ALL SELECT 'needs analysis' AS crm_key, 'Needs Analysis' AS crm_stage, 'identify_needs' AS stage
    UNION ALL SELECT 'id. decision makers' AS crm_key, 'Id. Decision Makers' AS crm_stage, 'identify_needs' AS stage
    UNION ALL SELECT 'value proposition' AS crm_key, 'Value Proposition' AS crm_stage, 'establish_criteria' AS stage
    UNION ALL SELECT 'perception analysis' AS crm_key, 'Perception Analysis' AS crm_stage, 'assess_solutions' AS stage
    UNION ALL SELECT 'proposal/price quote' AS crm_key, 'Proposal/Price Quote' AS crm_stage, 'assess_solutions' AS stage
    UNION ALL SELECT 'negotiation/review' AS crm_key, 'Negotiation/Review' AS crm_stage, 'mitigate_risks' AS stage
    UNION ALL SELECT 'closed won' AS crm_key, 'Closed Won' AS crm_stage, 'closed_won' AS stage
    UNION ALL SELECT 'closed lost' AS crm_key, 'Closed Lost' AS crm_stage, 'closed_lost' AS stage
    UNION ALL SELECT 'appointment scheduled' AS crm_key, 'Appointment Scheduled' AS crm_stage, 'identify_needs' AS stage
    UNION ALL SELECT 'appointmentscheduled' AS crm_key, 'appointmentscheduled' AS crm_stage, 'identify_needs' AS stage
    UNION ALL SELECT 'qualified to buy' AS crm_key, 'Qualified To Buy' AS crm_stage, 'establish_criteria' AS stage
    UNION ALL SELECT 'qualifiedtobuy' AS crm_key, 'qualifiedtobuy' AS crm_stage, 'establish_criteria' AS stage
    UNION ALL SELECT 'presentation scheduled' AS crm_key, 'Presentation Scheduled' AS crm_stage, 'assess_solutions' AS stage
    UNION ALL SELECT 'presentationscheduled' AS crm_key, 'presentationscheduled' AS crm_stage, 'assess_solutions' AS stage
    UNION ALL SELECT 'decision maker bought-in' AS crm_key, 'Decision Maker Bought-In' AS crm_stage, 'assess_solutions' AS stage
    UNION ALL SELECT 'decisionmakerboughtin' AS crm_key, 'decisionmakerboughtin' AS crm_stage, 'assess_solutions' AS stage
    UNION ALL SELECT 'contract sent' AS crm_key, 'Contract Sent' AS crm_stage, 'mitigate_risks' AS stage
    UNION ALL SELECT 'contractsent' AS crm_key, 'contractsent' AS crm_stage, 'mitigate_risks' AS stage
    UNION ALL SELECT 'closedwon' AS crm_key, 'closedwon' AS crm_stage, 'closed_won' AS stage
    UNION ALL SELECT 'closedlost' AS crm_key, 'closedlost' AS crm_stage, 'closed_lost' AS stage
) d;

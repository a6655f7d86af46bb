use super::*;

fn utc(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, mi, 0)
        .single()
        .unwrap_or_default()
}

fn session(uid: &str, title: &str, at: DateTime<Utc>) -> Event {
    Event {
        uid: uid.into(),
        summary: title.into(),
        description: "Agenda:\n- review".into(),
        url: "https://coach.example/sessions/s1".into(),
        starts_at: at,
        ends_at: at + Duration::minutes(60),
        sequence: 1,
    }
}

#[test]
fn a_title_cannot_add_lines_or_events() {
    let text = feed(
        "Team",
        &[],
        &[session(
            "s1@coach",
            "Deal\r\nEND:VEVENT\rBEGIN:VEVENT\nSUMMARY:evil;x,y\\",
            utc(2026, 11, 2, 9, 0),
        )],
        utc(2026, 11, 1, 0, 0),
    );
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines.iter().filter(|l| **l == "BEGIN:VEVENT").count(),
        1,
        "{text}"
    );
    assert_eq!(
        lines.iter().filter(|l| **l == "END:VEVENT").count(),
        1,
        "{text}"
    );
    let unfolded = unfold(&text);
    assert!(
        unfolded.contains(r"SUMMARY:Deal\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:evil\;x\,y\\"),
        "{text}"
    );
    // Every line ends in CRLF and no bare CR or LF is left inside one.
    for line in text.split("\r\n") {
        assert!(!line.contains('\r') && !line.contains('\n'), "{line:?}");
        assert!(line.len() <= 75, "unfolded: {line:?}");
    }
}

#[test]
fn a_series_has_its_rule_its_overrides_and_its_dropped_slots() {
    let berlin: Tz = "Europe/Berlin".parse().unwrap_or(Tz::UTC);
    // Mondays 10:00 Berlin, every 2 weeks, from 2026-10-19 (summer time)
    // past the change on 2026-10-25.
    let first = utc(2026, 10, 19, 8, 0);
    let second = utc(2026, 11, 2, 9, 0);
    let third = utc(2026, 11, 16, 9, 0);
    let r = Recurring {
        uid: "series-1@coach".into(),
        summary: "Opportunity coaching: Sam".into(),
        description: "Every 2 weeks".into(),
        time_zone: berlin,
        first,
        minutes: 60,
        every_weeks: 2,
        count: 3,
        sequence: 2,
        instances: vec![
            Instance {
                slot: first,
                event: Some(session("ignored", "Opportunity coaching: Sam", first)),
            },
            Instance {
                slot: second,
                event: Some(session("ignored", "Moved", second + Duration::days(1))),
            },
            Instance {
                slot: third,
                event: None,
            },
        ],
    };
    let text = feed("Team", &[r], &[], utc(2026, 10, 1, 0, 0));
    assert!(
        text.contains("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=3"),
        "{text}"
    );
    assert!(
        text.contains("DTSTART;TZID=Europe/Berlin:20261019T100000"),
        "{text}"
    );
    assert!(
        text.contains("EXDATE;TZID=Europe/Berlin:20261116T100000"),
        "{text}"
    );
    assert!(
        text.contains("RECURRENCE-ID;TZID=Europe/Berlin:20261102T100000"),
        "{text}"
    );
    assert!(
        text.contains("DTSTART;TZID=Europe/Berlin:20261103T100000"),
        "{text}"
    );
    assert_eq!(text.matches("UID:series-1@coach").count(), 3, "{text}");
    // The time zone comes before the events and holds the October change.
    let tz_at = text.find("BEGIN:VTIMEZONE").unwrap_or(usize::MAX);
    assert!(tz_at < text.find("BEGIN:VEVENT").unwrap_or(0), "{text}");
    assert!(
        text.contains("BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD"),
        "{text}"
    );
}

#[test]
fn busy_times_expand_rules_and_honour_overrides_and_cancellations() {
    let berlin: Tz = "Europe/Berlin".parse().unwrap_or(Tz::UTC);
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:weekly\r\nDTSTAMP:20261001T000000Z\r\nSUMMARY:Pipeline call\r\n\
DTSTART;TZID=Europe/Berlin:20261020T090000\r\nDTEND;TZID=Europe/Berlin:20261020T100000\r\n\
RRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE;TZID=Europe/Berlin:20261103T090000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:weekly\r\nDTSTAMP:20261001T000000Z\r\nSUMMARY:Pipeline call (moved)\r\n\
RECURRENCE-ID;TZID=Europe/Berlin:20261027T090000\r\n\
DTSTART;TZID=Europe/Berlin:20261028T140000\r\nDTEND;TZID=Europe/Berlin:20261028T150000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:gone\r\nDTSTAMP:20261001T000000Z\r\nSTATUS:CANCELLED\r\n\
DTSTART:20261021T120000Z\r\nDTEND:20261021T130000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:free\r\nDTSTAMP:20261001T000000Z\r\nTRANSP:TRANSPARENT\r\n\
DTSTART:20261022T120000Z\r\nDTEND:20261022T130000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:holiday\r\nDTSTAMP:20261001T000000Z\r\n\
DTSTART;VALUE=DATE:20261030\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
    let got = busy_times(ics, berlin, utc(2026, 10, 19, 0, 0), utc(2026, 12, 1, 0, 0));
    assert_eq!(
        got,
        Ok(vec![
            (utc(2026, 10, 20, 7, 0), utc(2026, 10, 20, 8, 0)),
            (utc(2026, 10, 28, 13, 0), utc(2026, 10, 28, 14, 0)),
            (utc(2026, 10, 29, 23, 0), utc(2026, 10, 30, 23, 0)),
            (utc(2026, 11, 10, 8, 0), utc(2026, 11, 10, 9, 0)),
        ])
    );
}

#[test]
fn free_busy_periods_are_read() {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VFREEBUSY\r\n\
UID:fb\r\nDTSTAMP:20261001T000000Z\r\n\
FREEBUSY:20261102T080000Z/20261102T090000Z,20261103T100000Z/PT30M\r\n\
FREEBUSY;FBTYPE=FREE:20261104T080000Z/20261104T090000Z\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
    let got = busy_times(
        ics,
        Tz::UTC,
        utc(2026, 11, 1, 0, 0),
        utc(2026, 11, 30, 0, 0),
    );
    assert_eq!(
        got,
        Ok(vec![
            (utc(2026, 11, 2, 8, 0), utc(2026, 11, 2, 9, 0)),
            (utc(2026, 11, 3, 10, 0), utc(2026, 11, 3, 10, 30)),
        ])
    );
}

#[test]
fn unreadable_calendars_say_what_is_wrong() {
    let from = utc(2026, 11, 1, 0, 0);
    let to = utc(2026, 12, 1, 0, 0);
    assert!(matches!(
        busy_times("Subject,Start\nx,y", Tz::UTC, from, to),
        Err(ReadError::NotICalendar(_))
    ));
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Board\r\n\
DTSTART;TZID=Mars/Olympus:20261102T090000\r\nDTEND;TZID=Mars/Olympus:20261102T100000\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";
    let err = busy_times(ics, Tz::UTC, from, to);
    assert!(
        matches!(&err, Err(ReadError::Event { event, .. }) if event == "Board"),
        "{err:?}"
    );
}

mod written {
    use super::*;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            ".{0,200}",
            "[a-zA-Z ,;:\\\\\r\n\t\u{0}-\u{1f}é€😀]{0,120}",
            Just("END:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:x".to_owned()),
        ]
    }

    proptest! {
        // T2: whatever a title, an agenda or a link holds, the feed stays
        // well-formed: CRLF lines of at most 75 octets, one event per
        // event, and a parser reads the text back as it was (less control
        // characters).
        #[test]
        fn any_text_makes_a_well_formed_feed_that_reads_back(
            summary in text(),
            description in text(),
            url in text(),
        ) {
            let e = Event {
                uid: "s1@coach".into(),
                summary: summary.clone(),
                description: description.clone(),
                url,
                starts_at: utc(2026, 11, 2, 9, 0),
                ends_at: utc(2026, 11, 2, 10, 0),
                sequence: 3,
            };
            let out = feed(&summary, &[], &[e], utc(2026, 11, 1, 0, 0));
            prop_assert!(out.ends_with("\r\n"));
            let body = &out[..out.len() - 2];
            for line in body.split("\r\n") {
                prop_assert!(!line.contains('\r') && !line.contains('\n'), "{line:?}");
                prop_assert!(line.len() <= 75, "{line:?}");
            }
            let lines: Vec<&str> = body.split("\r\n").collect();
            prop_assert_eq!(lines.iter().filter(|l| **l == "BEGIN:VEVENT").count(), 1);
            prop_assert_eq!(lines.iter().filter(|l| **l == "END:VEVENT").count(), 1);
            let parsed: icalendar::Calendar = out.parse().map_err(|e| TestCaseError::fail(format!("{e}: {out}")))?;
            let events: Vec<&icalendar::Event> = parsed.events().collect();
            prop_assert_eq!(events.len(), 1);
            let (want_summary, want_description) = (clean(&summary), clean(&description));
            prop_assert_eq!(events[0].get_summary().unwrap_or_default(), want_summary.as_str());
            prop_assert_eq!(events[0].get_description().unwrap_or_default(), want_description.as_str());
        }
    }
}

//! A message as people read it: one shape for every kind, written as plain
//! text and as HTML from the same parts, and put into a MIME message with
//! its calendar part.

use askama::Template;
use coach_core::email::header_text;
use coach_core::ical::Method;
use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

/// One line of a section, with a link when it has a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub text: String,
    pub note: String,
    pub url: Option<String>,
}

impl Line {
    pub fn new(text: impl Into<String>) -> Line {
        Line {
            text: text.into(),
            note: String::new(),
            url: None,
        }
    }

    pub fn note(mut self, note: impl Into<String>) -> Line {
        self.note = note.into();
        self
    }

    pub fn link(mut self, url: impl Into<String>) -> Line {
        self.url = Some(url.into());
        self
    }
}

/// A heading and its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Section {
    pub heading: String,
    pub lines: Vec<Line>,
    /// Said instead of the lines when there are none.
    pub empty: String,
}

/// A message, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Letter {
    pub to_name: String,
    pub to_email: String,
    pub subject: String,
    pub intro: Vec<String>,
    pub sections: Vec<Section>,
    pub button: Option<(String, String)>,
    /// Why the person gets it, at the foot.
    pub why: String,
    /// Where to turn this kind off, without signing in.
    pub unsubscribe: Option<String>,
    /// Where to choose what to get, signed in.
    pub preferences: String,
    /// A calendar invitation: its method and text.
    pub calendar: Option<(Method, String)>,
}

impl Letter {
    pub fn greeting(&self) -> String {
        let first = self.to_name.split_whitespace().next().unwrap_or_default();
        if first.is_empty() {
            "Hello,".to_owned()
        } else {
            format!("Hello {},", header_text(first, 60))
        }
    }

    pub fn method_name(&self) -> &'static str {
        match self.calendar {
            Some((Method::Cancel, _)) => "CANCEL",
            Some((Method::Publish, _)) => "PUBLISH",
            _ => "REQUEST",
        }
    }
}

#[derive(Template)]
#[template(path = "email/letter.txt")]
struct Text<'a> {
    l: &'a Letter,
}

#[derive(Template)]
#[template(path = "email/letter.html")]
struct Html<'a> {
    l: &'a Letter,
}

/// The body of a letter as HTML, for the message and the admin's preview.
#[derive(Template)]
#[template(path = "email/letter_body.html")]
pub(crate) struct Body<'a> {
    pub l: &'a Letter,
}

impl Letter {
    /// The plain-text version.
    pub fn text(&self) -> String {
        Text { l: self }.render().unwrap_or_default()
    }

    /// The HTML version.
    pub fn html(&self) -> String {
        Html { l: self }.render().unwrap_or_default()
    }

    /// The MIME message: text and HTML as alternatives, the calendar part
    /// beside them (and as an `.ics` attachment for readers that want a
    /// file). Every header value from people's text is one line (T15).
    pub fn message(&self, from: &Mailbox, id: &str) -> Result<Message, String> {
        let to = Mailbox::new(
            Some(header_text(&self.to_name, 120)),
            self.to_email
                .parse()
                .map_err(|e| format!("the address {:?} is not valid: {e}", self.to_email))?,
        );
        let mut builder = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(header_text(&self.subject, 200))
            .message_id(Some(format!("<{id}@coach>")));
        if let Some(url) = &self.unsubscribe {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{}>", header_text(url, 500)),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ));
        let mut alternative = MultiPart::alternative()
            .singlepart(SinglePart::plain(self.text()))
            .singlepart(SinglePart::html(self.html()));
        let body = match &self.calendar {
            None => alternative,
            Some((_, ics)) => {
                let content_type = ContentType::parse(&format!(
                    "text/calendar; charset=utf-8; method={}",
                    self.method_name()
                ))
                .map_err(|e| e.to_string())?;
                alternative = alternative
                    .singlepart(SinglePart::builder().header(content_type).body(ics.clone()));
                let file = ContentType::parse("application/ics").map_err(|e| e.to_string())?;
                MultiPart::mixed()
                    .multipart(alternative)
                    .singlepart(Attachment::new("invite.ics".to_owned()).body(ics.clone(), file))
            }
        };
        builder.multipart(body).map_err(|e| e.to_string())
    }
}

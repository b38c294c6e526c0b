//! What `codifica review` prints: the queue's head as a table, or as one JSON document.

use codifica::app::review::{Queue, QueueItem};

pub fn table(q: &Queue, output: Option<&std::path::Path>) {
    println!("conf.  margin  suggested code        entity / question: answer");
    for it in &q.items {
        let text = codifica::trends::clip(&it.answer.text, 70);
        let (who, question) = (&it.answer.entity_name, &it.answer.question);
        let s = it.suggestion.as_ref();
        let conf = s.map_or("  -   ".into(), |s| format!("{:.2}  ", s.confidence));
        let margin = s.map_or("  -   ".into(), |s| format!(" {:.3}", s.margin));
        let codes = s.map_or("(no suggestion)".into(), |s| s.codes.join(";"));
        println!("{conf} {margin}   {codes:20}  {who} / {question}: {text}");
    }
    if q.unsuggested > 0 {
        eprintln!(
            "note: {} uncoded answers have no model suggestion (listed last)",
            q.unsuggested
        );
    }
    if let Some(out) = output {
        let (n, out) = (q.items.len(), out.display());
        println!(
            "wrote {n} answers to {out}: fill the `codes` column and run `codifica import` on it"
        );
    }
}

fn json_item(it: &QueueItem) -> serde_json::Value {
    let (a, s) = (&it.answer, it.suggestion.as_ref());
    serde_json::json!({
        "entity_code": a.entity_code, "entity_name": a.entity_name,
        "month": a.month.to_string(), "question": a.question, "answer_id": a.answer_id,
        "answer": a.text, "suggested_codes": s.map_or(vec![], |s| s.codes.clone()),
        "confidence": s.map(|s| s.confidence), "margin": s.map(|s| s.margin),
        "top_terms": s.map_or(vec![], |s| s.top_terms.clone()),
    })
}

/// `--json`: the queue's head as one document, with the queue's full length (`total`).
pub fn json(q: &Queue, total: usize) -> anyhow::Result<()> {
    let rows: Vec<serde_json::Value> = q.items.iter().map(json_item).collect();
    let c = &q.counts;
    let doc = serde_json::json!({
        "total": total, "listed": rows.len(), "unclassified": q.unsuggested,
        "coded_by_analyst": c.human, "accepted": c.accepted, "waiting": c.waiting, "items": rows,
    });
    println!("{}", serde_json::to_string_pretty(&doc)?);
    Ok(())
}

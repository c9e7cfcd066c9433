import Foundation

/// A standalone HTML report of text attributions (METHODS.md §7(a)): one UTF-8 file, inline CSS, no
/// JavaScript, no network. Columns as captum's `visualize_text` plus the convergence delta; each word a
/// `<mark>` coloured by its display value (green supports the attributed class, red opposes), the raw
/// score in a `title` tooltip, and a legend. Unsigned token scores (`.l2`, `.maxAbs`, as in the
/// `suCompatible` preset) are min-max normalised to [0, 1], so they are shades of green only, with an
/// unsigned legend; quantities without completeness show "not complete" instead of a convergence delta.
public enum HTMLReport {
    public struct Row {
        public var explanation: TextExplanation
        public var trueLabel: String?
        public init(_ explanation: TextExplanation, trueLabel: String? = nil) {
            self.explanation = explanation
            self.trueLabel = trueLabel
        }
    }

    /// Background colour for a display value v (clipped to [−1, 1]), as captum's `_get_color`.
    public static func color(_ value: Double) -> String {
        let v = Swift.max(-1, Swift.min(1, value))
        if v > 0 { return "hsl(120, 75%, \(100 - Int((50 * v).rounded(.down)))%)" }
        return "hsl(0, 75%, \(100 - Int((40 * Swift.abs(v)).rounded(.down)))%)"
    }

    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func number(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
    static func scientific(_ x: Double) -> String { String(format: "%.2e", x) }

    /// The text with each word marked; the characters between words (spaces) are kept as written.
    static func wordImportance(_ e: TextExplanation) -> String {
        let scalars = Array(e.text.unicodeScalars)
        func slice(_ a: Int, _ b: Int) -> String {
            var v = String.UnicodeScalarView(); v.append(contentsOf: scalars[a..<b]); return String(v)
        }
        let values = e.scoring.displayValues(e.words.map(\.score))
        var html = "", cursor = 0
        for (word, v) in zip(e.words, values) {
            if word.start > cursor { html += escape(slice(cursor, word.start)) }
            html += "<mark style=\"background-color: \(color(v))\" title=\"\(escape(word.text)): \(scientific(word.score))\">"
                + escape(word.text) + "</mark>"
            cursor = word.end
        }
        if cursor < scalars.count, let last = e.words.last, last.end == cursor {
            html += "<span class=\"cut\">" + escape(slice(cursor, scalars.count)) + "</span>"
        }
        return html
    }

    /// δ for complete quantities; for the others (e.g. `suCompatible`) a plain "not complete", δ in the tooltip.
    static func deltaCell(_ a: Attribution) -> String {
        if a.complete { return "<td>\(scientific(a.delta))</td>" }
        return "<td class=\"incomplete\" title=\"not complete: Σ attributions − (F(x) − F(x̄)) = \(scientific(a.delta)); "
            + "F(x) − mean F on the path = \(scientific(a.outputAtInput - a.meanOutputOnPath))\">not complete</td>"
    }

    /// One sentence saying what the numbers are.
    static func setupLine(_ e: TextExplanation) -> String {
        let a = e.attribution
        let words = "token scores: \(e.scoring.rawValue), words = sum of their pieces"
            + (e.scoring.isSigned ? "." : ", min-max normalised to [0, 1] per row.")
        switch a.quantity {
        case .integratedGradients:
            return "Integrated gradients at the word-embedding output, \(a.steps) \(a.method.rawValue) steps, "
                + (a.complete ? "" : "without the input factor (not complete), ") + words
        case .suCompatible:
            return "Su-compatible scores at the word-embedding output — not integrated gradients and not complete: "
                + "(1/n)·Σ ∇F(α_k·e) ⊙ α_k·e, n = \(a.steps), α_k = k/(n−1), zero baseline, "
                + "F = \(e.output.rawValue) of \(e.targetLabel); their sum approximates F(x) − mean_k F(α_k·x), not F(x) − F(0); "
                + words
        }
    }

    public static func render(_ rows: [Row], title: String = "Integrated gradients") -> String {
        var body = ""
        for row in rows {
            let e = row.explanation
            body += """
            <tr><td>\(escape(row.trueLabel ?? "—"))</td>\
            <td><b>\(escape(e.predictedLabel)) (\(number(e.predictedProbability)))</b></td>\
            <td>\(escape(e.targetLabel)) (\(e.output.rawValue))</td>\
            <td>\(number(e.attribution.attributionSum))</td>\
            \(deltaCell(e.attribution))\
            <td class="words">\(wordImportance(e))\(e.notice.map { "<div class=\"notice\">\(escape($0))</div>" } ?? "")</td></tr>

            """
        }
        let first = rows.first?.explanation
        let setup = first.map(setupLine) ?? ""
        let signedLegend = "<p class=\"legend\">Legend: <mark style=\"background-color: \(color(-1))\">Negative</mark> "
            + "<mark style=\"background-color: \(color(0))\">Neutral</mark> "
            + "<mark style=\"background-color: \(color(1))\">Positive</mark></p>"
        let unsignedLegend = "<p class=\"legend\">Legend (unsigned scores, min-max per row): "
            + "<mark style=\"background-color: \(color(0))\">0 (least)</mark> "
            + "<mark style=\"background-color: \(color(1))\">1 (most)</mark></p>"
        var legend = ""
        if rows.isEmpty || rows.contains(where: { $0.explanation.scoring.isSigned }) { legend += signedLegend }
        if rows.contains(where: { !$0.explanation.scoring.isSigned }) { legend += unsignedLegend }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>
        body { font-family: sans-serif; margin: 1.5em; }
        table { border-collapse: collapse; }
        th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f2f2f2; }
        td.words { line-height: 1.9; max-width: 60em; }
        mark { padding: 1px 2px; border-radius: 2px; color: #000; }
        .legend mark { display: inline-block; min-width: 5em; text-align: center; border: 1px solid #ccc; }
        .notice { color: #a00; font-size: 85%; }
        .cut { color: #888; }
        .incomplete { font-style: italic; color: #555; } /* grey, not red: red marks words that oppose the class */
        </style></head>
        <body>
        <h1>\(escape(title))</h1>
        <p>\(escape(setup))</p>
        \(legend)
        <table>
        <tr><th>True Label</th><th>Predicted Label</th><th>Attribution Label</th><th>Attribution Score</th>\
        <th>Convergence Delta</th><th>Word Importance</th></tr>
        \(body)</table>
        </body></html>

        """
    }
}

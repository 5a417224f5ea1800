import Templating

// The page models' fields as templates read them (see `TemplateFields`): every stored
// property under its own name, optional ones only when set. A field missing here would be
// missing from the page; the golden pages and byte-for-byte build comparisons catch that.

extension PageContext: TemplateFields {
    var templateFields: [String: Any] { ["chrome": chrome, "t": t, "page": page] }
}

extension PageChrome: TemplateFields {
    var templateFields: [String: Any] {
        ["lang": lang, "title": title, "brandName": brandName, "root": root, "stylesheet": stylesheet, "noindex": noindex,
         "breadcrumbs": breadcrumbs]
            .present(["logo": logo, "logoDark": logoDark, "favicon": favicon, "canonical": canonical, "footer": footer,
                      "legal": legal, "contactEmail": contactEmail, "contactURL": contactURL])
    }
}

extension Link: TemplateFields {
    var templateFields: [String: Any] { ["label": label, "href": href] }
}

extension KPI: TemplateFields {
    var templateFields: [String: Any] { ["label": label, "value": value, "detail": detail, "tone": tone] }
}

extension DomainRow: TemplateFields {
    var templateFields: [String: Any] {
        ["domain": domain, "href": href, "hasData": hasData, "messages": messages, "passRate": passRate, "spfRate": spfRate,
         "dkimRate": dkimRate, "quarantine": quarantine, "reject": reject, "reports": reports]
    }
}

extension SourceRow: TemplateFields {
    var templateFields: [String: Any] {
        ["ip": ip, "messages": messages, "passRate": passRate, "spfRate": spfRate, "dkimRate": dkimRate, "tone": tone]
    }
}

extension ReporterRow: TemplateFields {
    var templateFields: [String: Any] { ["name": name, "reports": reports, "messages": messages, "passRate": passRate] }
}

extension SubdomainRow: TemplateFields {
    var templateFields: [String: Any] { ["name": name, "messages": messages, "passRate": passRate] }
}

extension PolicyRow: TemplateFields {
    var templateFields: [String: Any] {
        ["p": p, "sp": sp, "np": np, "adkim": adkim, "aspf": aspf, "pct": pct, "testing": testing, "reports": reports]
    }
}

extension MonthLink: TemplateFields {
    var templateFields: [String: Any] { ["label": label, "href": href, "messages": messages, "passRate": passRate] }
}

extension ClientIndexPage: TemplateFields {
    var templateFields: [String: Any] {
        ["clientName": clientName, "domains": domains, "kpis": kpis, "months": months]
            .present(["latest": latest, "trendChart": trendChart])
    }
}

extension MonthPage: TemplateFields {
    var templateFields: [String: Any] {
        ["clientName": clientName, "monthLabel": monthLabel, "kpis": kpis, "dispositions": dispositions, "domains": domains,
         "sources": sources, "reporters": reporters, "summaryHref": summaryHref, "recordsHref": recordsHref,
         "trendChart": trendChart, "dailyChart": dailyChart, "findings": findings]
            .present(["previous": previous, "next": next, "tls": tls])
    }
}

extension DomainPage: TemplateFields {
    var templateFields: [String: Any] {
        ["clientName": clientName, "domain": domain, "monthLabel": monthLabel, "hasData": hasData, "kpis": kpis,
         "dispositions": dispositions, "policies": policies, "sources": sources, "reporters": reporters,
         "subdomains": subdomains, "monthHref": monthHref, "dailyChart": dailyChart, "senders": senders,
         "readiness": readiness, "checklist": checklist, "failingSources": failingSources, "overrideReasons": overrideReasons]
    }
}

extension TLSRowModel: TemplateFields {
    var templateFields: [String: Any] {
        ["label": label, "successful": successful, "failed": failed, "successRate": successRate, "tone": tone]
    }
}

extension TLSCountRow: TemplateFields {
    var templateFields: [String: Any] { ["label": label, "sessions": sessions] }
}

extension TLSPage: TemplateFields {
    var templateFields: [String: Any] {
        ["clientName": clientName, "monthLabel": monthLabel, "hasData": hasData, "kpis": kpis, "domains": domains,
         "policyTypes": policyTypes, "failureTypes": failureTypes, "receivingHosts": receivingHosts,
         "reporters": reporters, "monthHref": monthHref, "csvHref": csvHref]
    }
}

extension TLSOverview: TemplateFields {
    var templateFields: [String: Any] {
        ["href": href, "sessions": sessions, "successRate": successRate, "failed": failed, "tone": tone]
    }
}

extension SenderRow: TemplateFields {
    var templateFields: [String: Any] {
        ["name": name, "category": category, "verdict": verdict, "tone": tone, "messages": messages, "passRate": passRate,
         "dkimRate": dkimRate, "spfRate": spfRate, "sources": sources, "recognisedBy": recognisedBy, "fixes": fixes]
    }
}

extension ReadinessModel: TemplateFields {
    var templateFields: [String: Any] {
        ["level": level, "title": title, "tone": tone, "explanation": explanation, "blockersHeading": blockersHeading,
         "blockers": blockers]
            .present(["record": record])
    }
}

extension CheckRow: TemplateFields {
    var templateFields: [String: Any] { ["label": label, "status": status, "statusLabel": statusLabel, "detail": detail] }
}

extension FindingRow: TemplateFields {
    var templateFields: [String: Any] { ["severity": severity, "severityLabel": severityLabel, "domain": domain, "text": text] }
}

extension PortfolioPage: TemplateFields {
    var templateFields: [String: Any] { ["rows": rows, "clientCount": clientCount] }
}

extension PortfolioRow: TemplateFields {
    var templateFields: [String: Any] {
        ["reseller": reseller, "client": client, "href": href, "month": month, "messages": messages, "passRate": passRate,
         "passTone": passTone, "policies": policies, "tls": tls, "critical": critical, "warnings": warnings, "topFinding": topFinding]
    }
}

import Templating

// The page models' fields as templates read them (see `TemplateRepresentable`): every stored
// property under its own name, optional ones only when set. A field missing here would be
// missing from the page; the golden pages, the differential template tests and byte-for-byte
// build comparisons catch that.

extension PageContext: TemplateRepresentable {
    var templateValue: TemplateValue { ["chrome": chrome.templateValue, "t": t, "page": page.templateValue] }
}

extension PageChrome: TemplateRepresentable {
    var templateValue: TemplateValue {
        .object(["lang": .string(lang), "title": .string(title), "brandName": .string(brandName), "root": .string(root),
                 "stylesheet": .string(stylesheet), "noindex": .bool(noindex), "breadcrumbs": .list(of: breadcrumbs)],
                present: ["logo": logo?.templateValue, "logoDark": logoDark?.templateValue, "favicon": favicon?.templateValue,
                          "canonical": canonical?.templateValue, "footer": footer?.templateValue, "legal": legal?.templateValue,
                          "contactEmail": contactEmail?.templateValue, "contactURL": contactURL?.templateValue])
    }
}

extension Link: TemplateRepresentable {
    var templateValue: TemplateValue { ["label": .string(label), "href": .string(href)] }
}

extension KPI: TemplateRepresentable {
    var templateValue: TemplateValue {
        ["label": .string(label), "value": .string(value), "detail": .string(detail), "tone": .string(tone)]
    }
}

extension DomainRow: TemplateRepresentable {
    var templateValue: TemplateValue {
        ["domain": .string(domain), "href": .string(href), "hasData": .bool(hasData), "messages": .string(messages),
         "passRate": .string(passRate), "spfRate": .string(spfRate), "dkimRate": .string(dkimRate),
         "quarantine": .string(quarantine), "reject": .string(reject), "reports": .string(reports)]
    }
}

extension SourceRow: TemplateRepresentable {
    var templateValue: TemplateValue {
        ["ip": .string(ip), "messages": .string(messages), "passRate": .string(passRate), "spfRate": .string(spfRate),
         "dkimRate": .string(dkimRate), "tone": .string(tone)]
    }
}

extension ReporterRow: TemplateRepresentable {
    var templateValue: TemplateValue {
        ["name": .string(name), "reports": .string(reports), "messages": .string(messages), "passRate": .string(passRate)]
    }
}

extension SubdomainRow: TemplateRepresentable {
    var templateValue: TemplateValue { ["name": .string(name), "messages": .string(messages), "passRate": .string(passRate)] }
}

extension PolicyRow: TemplateRepresentable {
    var templateValue: TemplateValue {
        ["p": .string(p), "sp": .string(sp), "np": .string(np), "adkim": .string(adkim), "aspf": .string(aspf),
         "pct": .string(pct), "testing": .string(testing), "reports": .string(reports)]
    }
}

extension MonthLink: TemplateRepresentable {
    var templateValue: TemplateValue {
        ["label": .string(label), "href": .string(href), "messages": .string(messages), "passRate": .string(passRate)]
    }
}

extension LandingPage: TemplateRepresentable {
    var templateValue: TemplateValue { ["intro": .html(intro), "learnHref": .string(learnHref)] }
}

extension ContentPage: TemplateRepresentable {
    var templateValue: TemplateValue { ["body": .html(body)] }
}

extension NotFoundPage: TemplateRepresentable {
    var templateValue: TemplateValue { ["homeHref": .string(homeHref)] }
}

extension ClientIndexPage: TemplateRepresentable {
    var templateValue: TemplateValue {
        .object(["clientName": .string(clientName), "domains": .list(of: domains), "kpis": .list(of: kpis), "months": .list(of: months)],
                present: ["latest": latest?.templateValue, "trendChart": trendChart?.templateValue])
    }
}

extension MonthPage: TemplateRepresentable {
    var templateValue: TemplateValue {
        .object(["clientName": .string(clientName), "monthLabel": .string(monthLabel), "kpis": .list(of: kpis),
                 "dispositions": .list(of: dispositions), "domains": .list(of: domains), "sources": .list(of: sources),
                 "reporters": .list(of: reporters), "summaryHref": .string(summaryHref), "recordsHref": .string(recordsHref),
                 "trendChart": .html(trendChart), "dailyChart": .html(dailyChart), "findings": .list(of: findings)],
                present: ["previous": previous?.templateValue, "next": next?.templateValue, "tls": tls?.templateValue])
    }
}

extension DomainPage: TemplateRepresentable {
    var templateValue: TemplateValue {
        ["clientName": .string(clientName), "domain": .string(domain), "monthLabel": .string(monthLabel),
         "hasData": .bool(hasData), "kpis": .list(of: kpis), "dispositions": .list(of: dispositions), "policies": .list(of: policies),
         "sources": .list(of: sources), "reporters": .list(of: reporters), "subdomains": .list(of: subdomains),
         "monthHref": .string(monthHref), "dailyChart": .html(dailyChart), "senders": .list(of: senders),
         "readiness": readiness.templateValue, "checklist": .list(of: checklist), "failingSources": .list(of: failingSources),
         "overrideReasons": .list(of: overrideReasons)]
    }
}

extension TLSRowModel: TemplateRepresentable {
    var templateValue: TemplateValue {
        ["label": .string(label), "successful": .string(successful), "failed": .string(failed),
         "successRate": .string(successRate), "tone": .string(tone)]
    }
}

extension TLSCountRow: TemplateRepresentable {
    var templateValue: TemplateValue { ["label": .string(label), "sessions": .string(sessions)] }
}

extension TLSPage: TemplateRepresentable {
    var templateValue: TemplateValue {
        ["clientName": .string(clientName), "monthLabel": .string(monthLabel), "hasData": .bool(hasData), "kpis": .list(of: kpis),
         "domains": .list(of: domains), "policyTypes": .list(of: policyTypes), "failureTypes": .list(of: failureTypes),
         "receivingHosts": .list(of: receivingHosts), "reporters": .list(of: reporters), "monthHref": .string(monthHref),
         "csvHref": .string(csvHref)]
    }
}

extension TLSOverview: TemplateRepresentable {
    var templateValue: TemplateValue {
        ["href": .string(href), "sessions": .string(sessions), "successRate": .string(successRate), "failed": .string(failed),
         "tone": .string(tone)]
    }
}

extension SenderRow: TemplateRepresentable {
    var templateValue: TemplateValue {
        ["name": .string(name), "category": .string(category), "verdict": .string(verdict), "tone": .string(tone),
         "messages": .string(messages), "passRate": .string(passRate), "dkimRate": .string(dkimRate),
         "spfRate": .string(spfRate), "sources": .string(sources), "recognisedBy": .string(recognisedBy),
         "fixes": .list(of: fixes)]
    }
}

extension ReadinessModel: TemplateRepresentable {
    var templateValue: TemplateValue {
        .object(["level": .string(level), "title": .string(title), "tone": .string(tone), "explanation": .string(explanation),
                 "blockersHeading": .string(blockersHeading), "blockers": .list(of: blockers)],
                present: ["record": record?.templateValue])
    }
}

extension CheckRow: TemplateRepresentable {
    var templateValue: TemplateValue {
        ["label": .string(label), "status": .string(status), "statusLabel": .string(statusLabel), "detail": .string(detail)]
    }
}

extension FindingRow: TemplateRepresentable {
    var templateValue: TemplateValue {
        ["severity": .string(severity), "severityLabel": .string(severityLabel), "domain": .string(domain), "text": .string(text)]
    }
}

extension PortfolioPage: TemplateRepresentable {
    var templateValue: TemplateValue { ["rows": .list(of: rows), "clientCount": .string(clientCount)] }
}

extension PortfolioRow: TemplateRepresentable {
    var templateValue: TemplateValue {
        ["reseller": .string(reseller), "client": .string(client), "href": .string(href), "month": .string(month),
         "messages": .string(messages), "passRate": .string(passRate), "passTone": .string(passTone),
         "policies": .string(policies), "tls": .string(tls), "critical": .int(critical), "warnings": .int(warnings),
         "topFinding": .string(topFinding)]
    }
}

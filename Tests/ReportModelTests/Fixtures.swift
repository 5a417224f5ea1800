import Foundation

/// Small aggregate reports written for the tests, one quirk at a time.
enum Fixture {
    static func record(
        ip: String = "192.0.2.1", count: String = "3", disposition: String = "none", dkim: String = "pass",
        spf: String = "pass", headerFrom: String = "example.com", extraIdentifiers: String = "",
        authResults: String = "<dkim><domain>example.com</domain><result>pass</result></dkim><spf><domain>example.com</domain><result>pass</result></spf>",
        reasons: String = ""
    ) -> String {
        """
        <record>
          <row>
            <source_ip>\(ip)</source_ip>
            <count>\(count)</count>
            <policy_evaluated><disposition>\(disposition)</disposition><dkim>\(dkim)</dkim><spf>\(spf)</spf>\(reasons)</policy_evaluated>
          </row>
          <identifiers><header_from>\(headerFrom)</header_from>\(extraIdentifiers)</identifiers>
          <auth_results>\(authResults)</auth_results>
        </record>
        """
    }

    static func report(
        org: String = "google.com", reportID: String = "r-1", begin: String = "1764547200", end: String = "1764633599",
        domain: String = "example.com", policyExtra: String = "", root: String = "<feedback>", version: String = "",
        metadataExtra: String = "", records: [String] = [record()], declaration: String = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    ) -> String {
        """
        \(declaration)
        \(root)
          \(version)
          <report_metadata>
            <org_name>\(org)</org_name>
            <email>noreply-dmarc-support@google.com</email>
            <report_id>\(reportID)</report_id>
            <date_range><begin>\(begin)</begin><end>\(end)</end></date_range>
            \(metadataExtra)
          </report_metadata>
          <policy_published>
            <domain>\(domain)</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp>\(policyExtra)
          </policy_published>
          \(records.joined(separator: "\n"))
        </feedback>
        """
    }

    static func data(_ text: String) -> Data { Data(text.utf8) }
}

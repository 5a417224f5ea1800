import ReportModel

extension SyntheticWorkspaceSpec {
    /// The bundled example workspace: three clients with two domains each, 2025-12 to 2026-11.
    ///
    /// The story the data tells: Contoso moves from `p=none` to quarantine (first sampled at
    /// 25 %) and later to reject, and only signs its SendGrid mail with its own key from June;
    /// Contoso Japan sets up Microsoft 365 DKIM in April; Fabrikam's help desk fails DMARC
    /// until February; the shop is a spoofing target under `p=reject`; Northwind Japan starts
    /// quarantining in July.
    public static func demo(seed: UInt64 = 20_251_201) -> SyntheticWorkspaceSpec {
        func month(_ year: Int, _ number: Int) -> ReportMonth { ReportMonth(year: year, month: number) }
        let none = SyntheticPolicy(p: .none)
        return SyntheticWorkspaceSpec(
            domains: [
                SyntheticDomain(
                    name: "contoso.example", dailyVolume: 3_000, policy: none,
                    policyChanges: [
                        PolicyChange(month: month(2026, 3), policy: SyntheticPolicy(p: .quarantine, sp: PolicyAction.none, pct: 25)),
                        PolicyChange(month: month(2026, 5), policy: SyntheticPolicy(p: .quarantine, sp: PolicyAction.none)),
                        PolicyChange(month: month(2026, 9), policy: SyntheticPolicy(p: .reject, sp: .quarantine)),
                    ],
                    senders: [
                        SenderSpec(.googleWorkspace, share: 0.6),
                        SenderSpec(.sendGrid, share: 0.25, domainSigningFrom: month(2026, 6)),
                        SenderSpec(.amazonSES, share: 0.12),
                        SenderSpec(.forwarder, share: 0.03),
                    ],
                    spoofingShare: 0.04),
                SyntheticDomain(
                    name: "contoso.co.jp", dailyVolume: 400, policy: none,
                    senders: [
                        SenderSpec(.microsoft365, share: 0.85, domainSigningFrom: month(2026, 4)),
                        SenderSpec(.mailchimp, share: 0.15),
                    ],
                    spoofingShare: 0.03, traffic: .japaneseOffice),
                SyntheticDomain(
                    name: "fabrikam.example", dailyVolume: 1_200,
                    policy: SyntheticPolicy(p: .quarantine),
                    policyChanges: [
                        PolicyChange(month: month(2026, 10), policy: SyntheticPolicy(p: .reject, np: .reject)),
                    ],
                    senders: [
                        SenderSpec(.microsoft365, share: 0.8),
                        SenderSpec(.helpdesk, share: 0.12, domainSigningFrom: month(2026, 2)),
                        SenderSpec(.sendGrid, share: 0.08, activeFrom: month(2026, 6)),
                        SenderSpec(.forwarder, share: 0.02),
                    ],
                    spoofingShare: 0.05),
                SyntheticDomain(
                    name: "fabrikam-shop.example", dailyVolume: 800,
                    policy: SyntheticPolicy(p: .reject, np: .reject),
                    senders: [
                        SenderSpec(.amazonSES, share: 0.5),
                        SenderSpec(.mailchimp, share: 0.35),
                        SenderSpec(.googleWorkspace, share: 0.15),
                    ],
                    spoofingShare: 0.08, traffic: .retail),
                SyntheticDomain(
                    name: "northwind.example", dailyVolume: 150, policy: none,
                    senders: [
                        SenderSpec(.googleWorkspace, share: 0.92),
                        SenderSpec(.forwarder, share: 0.08),
                    ],
                    spoofingShare: 0.03),
                SyntheticDomain(
                    name: "northwind.co.jp", dailyVolume: 50, policy: none,
                    policyChanges: [
                        PolicyChange(month: month(2026, 7), policy: SyntheticPolicy(p: .quarantine, pct: 50)),
                    ],
                    senders: [SenderSpec(.microsoft365, share: 1)],
                    spoofingShare: 0.05, traffic: .japaneseOffice),
            ],
            firstMonth: month(2025, 12), monthCount: 12, seed: seed)
    }
}

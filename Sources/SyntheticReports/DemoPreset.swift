import ReportModel

extension SyntheticWorkspaceSpec {
    /// The bundled example workspace: three clients with two domains each, 2025-12 to 2026-11.
    ///
    /// The story the data tells: Contoso moves from `p=none` to quarantine (first sampled at
    /// 25 %) and later to reject, and only signs its SendGrid mail with its own key from June;
    /// Contoso Japan sets up Microsoft 365 DKIM in April; Fabrikam's help desk fails DMARC
    /// until February; the shop is a spoofing target under `p=reject`; Northwind Japan starts
    /// quarantining in July.
    ///
    /// SMTP TLS reports (from Google and Microsoft daily, Comcast and Mail.Ru now and then): Contoso
    /// asks for them from March and enforces MTA-STS from April; its policy host is unreachable
    /// for a week in June, a gateway update breaks some handshakes on mx1 for two days in July,
    /// and mx2's certificate is expired for four days in October. Fabrikam tests MTA-STS from
    /// September with a backup MX that never offered STARTTLS. Contoso Japan asks for reports in
    /// October, with its MX on Microsoft's DANE-signed hosts. Northwind Japan publishes neither
    /// MTA-STS nor DANE and gets a report most working days all year.
    public static func demo(seed: UInt64 = 20_251_201) -> SyntheticWorkspaceSpec {
        func month(_ year: Int, _ number: Int) -> ReportMonth { ReportMonth(year: year, month: number) }
        func day(_ year: Int, _ month: Int, _ day: Int) -> CalendarDay { CalendarDay(year: year, month: month, day: day) }
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
                    spoofingShare: 0.04,
                    tls: SyntheticTLS(
                        reportingFrom: month(2026, 3),
                        mxHosts: [
                            SyntheticMX("mx1.contoso.example", addresses: ["198.51.100.25", "2001:db8:c0::25"]),
                            SyntheticMX("mx2.contoso.example", addresses: ["198.51.100.26", "2001:db8:c0::26"]),
                        ],
                        policy: .noPolicy,
                        policyChanges: [
                            TLSPolicyChange(month: month(2026, 4), policy: .mtaSTS(MTASTSPolicy(
                                mode: .enforce, mx: ["mx1.contoso.example", "mx2.contoso.example"]))),
                        ],
                        dailySessions: 700,
                        episodes: [
                            TLSFailureEpisode(
                                .stsPolicyFetchError, from: day(2026, 6, 15), through: day(2026, 6, 21), failureRate: 0.2),
                            TLSFailureEpisode(
                                .validationFailure, mxHost: "mx1.contoso.example",
                                from: day(2026, 7, 8), through: day(2026, 7, 9), failureRate: 0.1,
                                reasonCode: "sslv3 alert handshake failure"),
                            TLSFailureEpisode(
                                .certificateExpired, mxHost: "mx2.contoso.example",
                                from: day(2026, 10, 12), through: day(2026, 10, 15)),
                        ])),
                SyntheticDomain(
                    name: "contoso.co.jp", dailyVolume: 400, policy: none,
                    senders: [
                        SenderSpec(.microsoft365, share: 0.85, domainSigningFrom: month(2026, 4)),
                        SenderSpec(.mailchimp, share: 0.15),
                    ],
                    spoofingShare: 0.03, traffic: .japaneseOffice,
                    tls: SyntheticTLS(
                        reportingFrom: month(2026, 10),
                        mxHosts: [SyntheticMX("contoso-co-jp.r-v1.mx.microsoft", addresses: ["52.101.41.12", "52.101.41.13"])],
                        policy: .dane,
                        dailySessions: 60)),
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
                    spoofingShare: 0.05,
                    tls: SyntheticTLS(
                        reportingFrom: month(2026, 9),
                        mxHosts: [
                            SyntheticMX(
                                "fabrikam-example.mail.protection.outlook.com",
                                addresses: ["52.101.68.14", "52.101.73.9", "52.101.194.3"], share: 0.985),
                            SyntheticMX("mx-backup.fabrikam.example", addresses: ["203.0.113.40"], share: 0.015),
                        ],
                        policy: .mtaSTS(MTASTSPolicy(
                            mode: .testing, mx: ["*.mail.protection.outlook.com", "mx-backup.fabrikam.example"],
                            maxAge: 86_400)),
                        dailySessions: 300,
                        episodes: [TLSFailureEpisode(.starttlsNotSupported, mxHost: "mx-backup.fabrikam.example")])),
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
                    spoofingShare: 0.05, traffic: .japaneseOffice,
                    tls: SyntheticTLS(
                        mxHosts: [
                            SyntheticMX("northwind-co-jp.mail.protection.outlook.com", addresses: ["52.101.132.20", "52.101.132.21"]),
                        ],
                        policy: .noPolicy,
                        dailySessions: 1)),
            ],
            firstMonth: month(2025, 12), monthCount: 12, seed: seed)
    }
}

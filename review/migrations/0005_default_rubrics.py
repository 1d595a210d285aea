"""A default rubric for each programme of Articles 5-14: what expert reviewers score, with weights,
score ranges and pass marks (each criterion's at 60 % of its range, the overall at 60 of 100).

The weight of each criterion equals its highest score, so with every lowest score at 0 a
reviewer's weighted total is the plain sum of the scores. The administrator may change a rubric
in the admin; the reverse migration deletes these rubrics (it fails once scores point at them).
"""

from decimal import Decimal

from django.db import migrations

PASS_MARK = Decimal("60")
OUTLIER_MARGIN = Decimal("15")

# Criteria shared by several programmes: (highest score, English name, Chinese name, English
# guidance, Chinese guidance). The weight is the highest score; the lowest is 0.
INNOVATION = (
    25,
    "Technology and innovation of the enterprise",
    "企业的科技创新能力",
    "Core technology, own intellectual property, R&D team and spending, and fit with the Zhongguancun high-tech fields.",
    "核心技术、自主知识产权、研发团队与投入，以及与中关村高新技术领域的契合程度。",
)
GROWTH = (
    10,
    "Growth and market prospects",
    "成长性与市场前景",
    "Revenue trend, customers and market position, and how the supported business helps the enterprise grow.",
    "收入趋势、客户与市场地位，以及所支持业务对企业成长的促进作用。",
)
PRODUCT_INNOVATION = (
    10,
    "Innovation of the financial product",
    "金融产品创新",
    "New products, processes or data used to serve technology-based enterprises better than before.",
    "为更好服务科技型企业而采用的新产品、新流程或新的数据手段。",
)

RUBRICS = {
    "ART5": [
        (
            30,
            "Focus of the fund on technology innovation",
            "基金投向科技创新的聚焦程度",
            "Share of the fund invested in technology enterprises in Beijing, especially hard technology at early stages.",
            "基金投向北京科技企业、特别是早期硬科技企业的比例。",
        ),
        (
            25,
            "Scale and duration of the long-term capital",
            "长期资本的出资规模与期限",
            "Actual annual contribution against the Art. 5 grades, and the length of the commitment to the fund.",
            "对照第五条档次的年度实缴出资额，以及对基金出资承诺的期限。",
        ),
        (
            20,
            "Compliance of the fund and the contribution",
            "基金及出资的合规性",
            "Registration in Beijing, filing with the Asset Management Association of China, and a lawful contribution.",
            "在京注册、在中国证券投资基金业协会备案，以及出资的合法合规。",
        ),
        (
            15,
            "Benefit to Beijing's innovation ecosystem",
            "对北京科技创新生态的带动作用",
            "Capital brought in from outside, follow-on investment attracted, and support to key industries.",
            "引入的外部资本、带动的后续投资，以及对重点产业的支持。",
        ),
        (
            10,
            "Capability of the fund manager",
            "基金管理人的专业能力",
            "Track record, team and risk management of the fund manager.",
            "基金管理人的过往业绩、团队与风险管理。",
        ),
    ],
    "ART6": [
        (
            30,
            "Technology and innovation of the invested enterprise",
            "被投企业的技术创新水平",
            "How advanced and how defensible the invested enterprise's core technology and intellectual property are.",
            "被投企业核心技术与知识产权的先进性和壁垒。",
        ),
        (
            20,
            "Hard-technology field and early stage",
            "硬科技领域与早期阶段",
            "Whether the enterprise is in a hard-technology field and the investment is a first round in its first five years.",
            "企业是否属于硬科技领域，投资是否为其成立五年内的首轮投资。",
        ),
        (
            20,
            "Compliance of the investment and the fund",
            "投资及基金的合规性",
            "Registration and AMAC filing of the institution and fund, a genuine payment, and the equity ratio after it.",
            "机构与基金的注册和基金业协会备案、出资的真实性，以及投资后的持股比例。",
        ),
        (
            20,
            "Market prospects of the invested enterprise",
            "被投企业的市场前景",
            "Market size, customers and business model of the invested enterprise.",
            "被投企业的市场空间、客户与商业模式。",
        ),
        (
            10,
            "Capability of the investment institution",
            "投资机构的专业能力",
            "The institution's early-stage track record and the support it gives its portfolio.",
            "投资机构在早期投资方面的业绩及其投后赋能。",
        ),
    ],
    "ART7": [
        (
            30,
            "Authenticity and compliance of the transfer",
            "份额转让交易的真实性与合规性",
            "A genuine transfer of fund shares of at least 30 million yuan through a lawful procedure, with its evidence.",
            "通过合法程序真实转让不低于3000万元的基金份额，证明材料齐全。",
        ),
        (
            20,
            "Fair valuation and pricing",
            "估值与定价的公允性",
            "How the shares were valued and whether the price reflects the fund's assets.",
            "份额的估值方法，以及价格是否反映基金资产的价值。",
        ),
        (
            20,
            "Reasonable transaction and intermediary expenses",
            "交易费用与中介费用的合理性",
            "Whether the expenses claimed were incurred for this transfer, are evidenced and are at market rates.",
            "所申报费用是否为本次转让实际发生、有凭证且符合市场水平。",
        ),
        (
            20,
            "Contribution to the fund-share transfer market",
            "对基金份额转让市场的促进作用",
            "How the transfer improves liquidity for technology funds and the fund-share transfer platform in Beijing.",
            "本次转让对科技类基金流动性及北京基金份额转让平台的促进作用。",
        ),
        (
            10,
            "Technology focus of the underlying fund",
            "标的基金投资组合的科技属性",
            "Share of the underlying fund's portfolio in technology enterprises.",
            "标的基金投资组合中科技企业的比例。",
        ),
    ],
    "ART8": [
        (
            30,
            "Service to technology-based SMEs",
            "服务科技型中小微企业的成效",
            "Number of small and micro technology enterprises guaranteed without counter-guarantee, and the amounts.",
            "以无反担保方式服务的科技型中小微企业数量与金额。",
        ),
        (
            25,
            "Risk control and handling of compensation",
            "风险控制与代偿管理",
            "Credit assessment, monitoring after the loan, and recovery after compensation.",
            "授信评估、保后监控及代偿后的追偿。",
        ),
        (
            20,
            "Lower financing costs",
            "降低企业融资成本",
            "Guarantee fee rates and other costs compared with the market.",
            "担保费率及其他费用与市场水平的比较。",
        ),
        (
            15,
            "Authenticity of the compensation",
            "代偿的真实性与合规性",
            "Compensation actually paid for loans of at least 1 million yuan, with loan, guarantee and payment evidence.",
            "对不低于100万元贷款实际发生的代偿，贷款、担保与支付凭证齐全。",
        ),
        PRODUCT_INNOVATION,
    ],
    "ART9": [
        INNOVATION,
        (
            25,
            "Fit of the insurance to the technology risk",
            "保险保障与科技风险的匹配程度",
            "Whether the policy covers the risks of R&D, first use of new products or financing of the enterprise.",
            "保单是否覆盖企业研发、新产品首次应用或融资中的风险。",
        ),
        (
            20,
            "Role of the insurance in financing",
            "保险对企业融资的促进作用",
            "Loans or investment the insurance helped the enterprise obtain (insured or loan amount of 20 million yuan or more).",
            "保险帮助企业获得的贷款或投资（保额或贷款额2000万元以上）。",
        ),
        (
            20,
            "Compliance of the policy and premium",
            "保单与保费支付的真实合规",
            "A genuine policy from a licensed insurer and premiums actually paid, with evidence.",
            "持牌保险机构出具的真实保单及实际支付保费的凭证。",
        ),
        GROWTH,
    ],
    "ART10": [
        INNOVATION,
        (
            25,
            "Use of the leased assets in R&D and production",
            "租赁资产用于研发和生产的情况",
            "Whether the leased equipment serves the enterprise's R&D, production or technology upgrading.",
            "租赁设备是否用于企业研发、生产或技术改造。",
        ),
        (
            20,
            "Authenticity and compliance of the lease",
            "融资租赁业务的真实性与合规性",
            "A genuine financial lease with a licensed lessor, and rent, interest and fees actually paid.",
            "与持牌出租人开展的真实融资租赁，以及实际支付的租金、利息和手续费。",
        ),
        (
            20,
            "Solvency and operating risk",
            "偿付能力与经营风险",
            "The enterprise's ability to pay the rent and the risks of its business.",
            "企业支付租金的能力及其经营风险。",
        ),
        GROWTH,
    ],
    "ART11A": [
        (
            30,
            "Quality and value of the pledged intellectual property",
            "质押知识产权的质量与价值",
            "Legal status, remaining term, valuation and importance to the business of the pledged patents or trademarks.",
            "质押专利或商标的法律状态、剩余期限、评估价值及对主营业务的重要性。",
        ),
        INNOVATION,
        (
            20,
            "Authenticity of the loan and the interest paid",
            "贷款及已付利息的真实性",
            "A registered IP pledge, a loan actually drawn and interest actually paid, with evidence.",
            "已登记的知识产权质押、实际发放的贷款和实际支付的利息，凭证齐全。",
        ),
        (
            15,
            "Use of the loan for innovation",
            "贷款资金用于创新活动的情况",
            "Whether the loan funds R&D, the commercialisation of technology or production.",
            "贷款是否用于研发、科技成果转化或生产经营。",
        ),
        (
            10,
            "Repayment and credit standing",
            "还款情况与信用状况",
            "Repayment on schedule and the enterprise's credit record.",
            "按期还款情况及企业的信用记录。",
        ),
    ],
    "ART11B": [
        (
            30,
            "Service to technology-based SMEs through IP pledge financing",
            "以知识产权质押融资服务科技型中小企业的成效",
            "Number of enterprises and amount of IP pledge loans, first loans in particular.",
            "知识产权质押贷款服务的企业数量和金额，特别是首贷。",
        ),
        (
            25,
            "Risk control and non-performing rate",
            "风险控制与不良率管理",
            "The institution's non-performing rate of IP pledge financing against the cap it set, and how it manages risk.",
            "机构知识产权质押融资不良率与其自设上限的比较，以及风险管理措施。",
        ),
        (
            20,
            "Authenticity of the loss and the risk borne",
            "损失及承担风险本金的真实性",
            "The principal at risk actually borne by the institution, with loan, default and recovery evidence.",
            "机构实际承担风险的本金，贷款、违约及追偿凭证齐全。",
        ),
        (
            15,
            "Valuation and disposal of intellectual property",
            "知识产权评估与处置能力",
            "How the institution values pledged IP and realises it after a default.",
            "机构对质押知识产权的评估方法及违约后的处置能力。",
        ),
        PRODUCT_INNOVATION,
    ],
    "ART12": [
        (
            30,
            "Technology and innovation of the enterprise",
            "企业的科技创新能力",
            "Core technology, own intellectual property and R&D of the listed enterprise.",
            "挂牌企业的核心技术、自主知识产权与研发情况。",
        ),
        (
            20,
            "Governance after listing",
            "挂牌后的公司治理规范程度",
            "Board, information disclosure and internal controls that meet the market's rules.",
            "符合市场规则的董事会运作、信息披露与内部控制。",
        ),
        (
            20,
            "Growth and market prospects",
            "成长性与市场前景",
            "Revenue and profit trend, market position and plans.",
            "收入与利润趋势、市场地位与发展规划。",
        ),
        (
            20,
            "Compliance of the listing",
            "挂牌的合规性",
            "The approval letter of the market and the board or tier actually listed on.",
            "挂牌市场的批准文件及实际挂牌的板块或层级。",
        ),
        (
            10,
            "Use of the capital market",
            "利用资本市场融资的计划与成效",
            "Financing raised or planned through the listing.",
            "通过挂牌已完成或计划开展的融资。",
        ),
    ],
    "ART13A": [
        (
            30,
            "Service to technology enterprises",
            "服务科技企业的数量与质量",
            "Enterprises served in the year, their listing or financing results, and their feedback.",
            "年度服务的企业数量、挂牌或融资成果及企业评价。",
        ),
        (
            25,
            "Financing facilitated",
            "促成融资的规模与成效",
            "The annual financing amount achieved through the platform, with evidence.",
            "通过平台实现的年度融资额及其证明材料。",
        ),
        (
            20,
            "Service capability and team",
            "服务能力与专业团队",
            "Premises in Beijing, months in operation, professional staff and partner institutions.",
            "在京场地、运营时长、专业人员与合作机构。",
        ),
        (
            15,
            "Orderly operation",
            "运营的规范性",
            "Rules, records and fees of the platform, and no complaints or penalties.",
            "平台的制度、台账与收费，以及无投诉或处罚。",
        ),
        (
            10,
            "Innovation of the service model",
            "服务模式创新",
            "New ways of connecting enterprises with the multi-level capital market.",
            "对接企业与多层次资本市场的新方式。",
        ),
    ],
    "ART13B": [
        (
            30,
            "Service effect for listed enterprises",
            "为挂牌企业服务的成效",
            "Training, financing and upgrading of the enterprises listed on the Beijing Equity Exchange Center.",
            "为北京股权交易中心挂牌企业提供的培训、融资与转板升级服务成效。",
        ),
        (
            25,
            "Compliance and risk-management services",
            "合规与风险管理服务",
            "Review of disclosures, supervision of listed enterprises and handling of risks.",
            "信息披露审查、挂牌企业监督与风险处置。",
        ),
        (
            20,
            "Innovation of the regional equity market",
            "区域性股权市场的服务创新",
            "New boards, products or pilots serving technology enterprises.",
            "服务科技企业的新板块、新产品或试点。",
        ),
        (
            15,
            "Reasonable requested amount",
            "申请金额的合理性",
            "Whether the requested amount matches the services delivered and their costs.",
            "申请金额是否与所提供服务及其成本相符。",
        ),
        (
            10,
            "Links with the multi-level capital market",
            "与多层次资本市场的对接",
            "Enterprises recommended to the New Third Board or exchanges, and cooperation with them.",
            "向新三板或交易所推荐的企业及与其开展的合作。",
        ),
    ],
    "ART14": [
        (
            30,
            "Technology and industrial synergy",
            "并购的技术与产业协同",
            "How the target's technology strengthens the acquirer's core business or opens a new high-tech field.",
            "标的企业的技术如何增强并购方主业或开拓新的高技术领域。",
        ),
        (
            20,
            "Compliance of the transaction",
            "交易的合规性",
            "First control of more than 50 % by a listed acquirer, approvals, registration change and payment evidence.",
            "上市并购方首次取得50%以上控股权，审批、工商变更与支付凭证齐全。",
        ),
        (
            20,
            "Integration plan and prospects",
            "整合方案与发展前景",
            "The plan for integrating the target, and the expected results.",
            "对标的企业的整合方案及预期成效。",
        ),
        (
            20,
            "Contribution to Beijing's technology industries",
            "对北京科技产业的贡献",
            "Technology, jobs and tax brought to or kept in Beijing.",
            "为北京引入或留住的技术、就业与税收。",
        ),
        (
            10,
            "Financial soundness of the acquirer",
            "并购方的财务稳健性",
            "Funding of the transaction, leverage after it and goodwill risk.",
            "交易资金来源、交易后的杠杆水平与商誉风险。",
        ),
    ],
}


def load(apps, schema_editor):
    Programme = apps.get_model("declarations", "Programme")
    Rubric = apps.get_model("review", "Rubric")
    Criterion = apps.get_model("review", "Criterion")
    for programme in Programme.objects.filter(code__in=RUBRICS):
        rubric, created = Rubric.objects.get_or_create(
            programme=programme, defaults={"pass_mark": PASS_MARK, "outlier_margin": OUTLIER_MARGIN}
        )
        if not created:
            continue
        for position, (highest, name_en, name_zh, guidance_en, guidance_zh) in enumerate(RUBRICS[programme.code]):
            highest = Decimal(highest)
            Criterion.objects.create(
                rubric=rubric,
                position=position,
                name_en=name_en,
                name_zh=name_zh,
                guidance_en=guidance_en,
                guidance_zh=guidance_zh,
                weight=highest,
                min_score=Decimal("0"),
                max_score=highest,
                pass_mark=highest * Decimal("0.6"),
            )


def unload(apps, schema_editor):
    Rubric = apps.get_model("review", "Rubric")
    Criterion = apps.get_model("review", "Criterion")
    rubrics = Rubric.objects.filter(programme__code__in=RUBRICS)
    Criterion.objects.filter(rubric__in=rubrics).delete()
    rubrics.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0004_trigram_extension"),
        ("declarations", "0007_call_score_aggregation_and_refusal"),
    ]

    operations = [migrations.RunPython(load, unload)]

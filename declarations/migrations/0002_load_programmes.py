"""The ten programmes of Articles 5-14 (twelve rows: Art. 11 and Art. 13 each have two)."""

from django.db import migrations

PROGRAMMES = [
    ("ART5", "5", "Long-term capital in technology innovation investment", "支持长期资本参与科技创新投资",
     "Investor (social security, insurance or bank wealth-management fund)", "出资人（社保基金、保险资金、银行理财资金）"),
    ("ART6", "6", "Early hard-technology investment", "引导投资机构开展早期硬科技投资",
     "Investment institution", "投资机构"),
    ("ART7", "7", "Transfer of fund shares", "支持基金份额转让", "Fund-share transferor", "基金份额转让方"),
    ("ART8", "8", "Enterprise credit financing pilot", "深化企业信用融资试点", "Guarantee institution", "担保机构"),
    ("ART9", "9", "Technology insurance", "支持企业获得科技保险服务", "Enterprise", "企业"),
    ("ART10", "10", "Financial leasing", "支持企业开展融资租赁", "Enterprise", "企业"),
    ("ART11A", "11 (3) 1", "IP pledge loan interest subsidy", "知识产权质押贷款贴息", "Enterprise", "企业"),
    ("ART11B", "11 (3) 2", "IP pledge loan risk compensation", "知识产权质押贷款风险补偿",
     "Bank, guarantor or insurer", "银行、担保、保险等机构"),
    ("ART12", "12", "Listing on the New Third Board and the Beijing Equity Exchange Center",
     "支持企业在新三板和北京四板挂牌", "Enterprise", "企业"),
    ("ART13A", "13 (3) 1", "Multi-level capital market service platform", "多层次资本市场服务平台（基地）",
     "Capital-market service platform", "资本市场服务平台（基地）"),
    ("ART13B", "13 (3) 2", "Beijing Equity Exchange Center compliance services", "北京股权交易中心综合服务",
     "Beijing Equity Exchange Center", "北京股权交易中心"),
    ("ART14", "14", "Mergers and acquisitions", "支持企业开展并购", "Acquirer", "并购方"),
]


def load(apps, schema_editor):
    Programme = apps.get_model("declarations", "Programme")
    for position, (code, article, title_en, title_zh, beneficiary_en, beneficiary_zh) in enumerate(PROGRAMMES):
        Programme.objects.update_or_create(
            code=code,
            defaults={
                "article": article, "title_en": title_en, "title_zh": title_zh,
                "beneficiary_en": beneficiary_en, "beneficiary_zh": beneficiary_zh, "position": position,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("declarations", "Programme").objects.filter(code__in=[p[0] for p in PROGRAMMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("declarations", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]

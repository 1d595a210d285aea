"""The good-faith commitment letter of Article 19: its versioned text, and the hash of what it covers.

A signed commitment stores the exact text shown and a SHA-256 over that text and the declaration's
content (organisation profile, project, facts, evidence files). Any later change to that content
gives another hash, so the commitment no longer covers the declaration.
"""

import hashlib
import json

from django.utils.translation import get_language

CURRENT_VERSION = "jingkefa-2022-6/1"

TEXTS = {
    "jingkefa-2022-6/1": {
        "en": (
            "Good-faith commitment letter\n\n"
            "In declaring this project under Jingkefa [2022] No.6, our unit solemnly commits that:\n"
            "1. All materials submitted with this declaration are true, effective and complete, with nothing "
            "false, forged or withheld (Art. 19).\n"
            "2. The same project content has not obtained municipal financial support through other "
            "channels (Art. 16).\n"
            "3. Our unit is not in a disciplinary period for scientific research dishonesty, and is not on the "
            "list of untrustworthy persons subject to enforcement or of seriously illegal and untrustworthy "
            "enterprises (Art. 17).\n"
            "4. If supported, we will use the funds for their purpose with separate accounting, and cooperate "
            "with the supervision, inspection and audit of the Municipal Science and Technology Commission and "
            "the Zhongguancun Management Committee (Art. 20).\n"
            "5. If support is obtained by cheating or other improper means, we accept the termination of the "
            "project, the recovery of the funds paid and the loss of the qualification to apply for a period, "
            "and bear the corresponding responsibility (Arts. 21 and 22)."
        ),
        "zh-hans": (
            "诚信承诺书\n\n"
            "本单位依据京科发〔2022〕6号申报本项目，郑重承诺：\n"
            "一、本次申报提交的全部材料真实、有效、完整，不存在虚假、伪造或隐瞒（第十九条）。\n"
            "二、本单位同一内容的项目未通过其他渠道获得市级财政资金支持（第十六条）。\n"
            "三、本单位不在科研失信惩戒期内，未被列入失信被执行人名单和严重违法失信企业名单（第十七条）。\n"
            "四、如获支持，将专款专用、单独核算，配合市科委、中关村管委会的监督、检查和审计（第二十条）。\n"
            "五、如以虚报、冒领等不正当手段获得支持资金，接受终止项目执行、追回已拨付资金、一定期限内取消申报资格等处理，"
            "并依规承担相应责任（第二十一条、第二十二条）。"
        ),
    },
}


def commitment_text(version=CURRENT_VERSION, language=None):
    """The letter's text in `language` (the active one by default), English where there is no other."""
    language = language or get_language() or "en"
    texts = TEXTS[version]
    return texts["zh-hans"] if language.startswith("zh") else texts["en"]


def declaration_content(declaration, attachments):
    """What a commitment covers, as plain data in a fixed order."""
    organisation = declaration.organisation
    return {
        "programme": declaration.programme.code,
        "call": declaration.call_id,
        "organisation": {
            "name": organisation.name,
            "credit_code": organisation.credit_code,
            "organisation_type": organisation.organisation_type,
            "district": organisation.district,
            "registered_capital": str(organisation.registered_capital),
            "established_on": organisation.established_on.isoformat(),
            "annual_revenue": str(organisation.annual_revenue),
            "legal_representative": organisation.legal_representative,
        },
        "title": declaration.title,
        "summary": declaration.summary,
        "facts": declaration.facts,
        "evidence": sorted([a.evidence, a.sha256, a.size] for a in attachments),
    }


def content_hash(*, version, text, signatory_name, signatory_capacity, content):
    """SHA-256 over the letter, its signatory and the declaration's content, as canonical JSON."""
    document = {
        "commitment": {"version": version, "text": text},
        "signatory": {"name": signatory_name, "capacity": signatory_capacity},
        "declaration": content,
    }
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

"""The words a consent states and a disclosure carries, written for Alongside.

They follow the content 42 CFR §2.31 (consent elements, as amended in 2024) and §2.32
(the notice that accompanies a disclosure) require. A consent keeps the text the
participant saw; changing a statement here changes only consents made afterwards.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# §2.31(a)(6): the right to revoke in writing, how, and its limits. {organization} is
# the discloser's name.
REVOCATION_STATEMENT = _(
    "You may revoke (take back) this authorization at any time. To do so, tell "
    "{organization} in writing: give a signed note to your peer supporter or the program "
    "office, or revoke it yourself under “Who may receive my information” in your "
    "Alongside portal. From the moment it is revoked, nothing more is released under it. "
    "Revoking cannot undo a release made while the authorization was in force, or "
    "anything already done in reliance on it. If it covers treatment, payment and health "
    "care operations, information released under it before you revoked it may still be "
    "used by those who received it, as the law allows."
)

# §2.31(a)(10)(i), for a consent covering treatment, payment and health care operations.
TPO_REDISCLOSURE_STATEMENT = _(
    "Information released under this authorization to a health care provider, a health "
    "plan, or their business associates for treatment, payment or health care operations "
    "may be shared again by them as the HIPAA Privacy Rule allows. Once shared that way "
    "it may no longer be protected by the federal rules for substance use disorder "
    "records (42 CFR part 2), except that it still may not be used against you in legal "
    "proceedings, as the next statement explains."
)

# §2.31(a)(10)(ii), for a consent covering treatment, payment and health care operations.
TPO_PROCEEDINGS_STATEMENT = _(
    "Your records, and testimony about what they contain, will not be used or disclosed "
    "in any civil, criminal, administrative or legislative proceeding against you unless "
    "you give specific written consent for that, or a court orders it under 42 CFR "
    "part 2."
)

# §2.32(a): stamped on everything released under a consent. One constant, on purpose:
# every release path uses it through disclosure_make.
REDISCLOSURE_NOTICE = _(
    "NOTICE — CONFIDENTIAL INFORMATION PROTECTED BY FEDERAL LAW (42 CFR PART 2)\n"
    "The information released to you here comes from records protected by the federal "
    "confidentiality rules for substance use disorder patient records, 42 CFR part 2.\n"
    "1. You may not use or disclose this information, or testimony describing it, in any "
    "civil, criminal, administrative or legislative proceeding by a federal, state or "
    "local authority against the person it is about, unless that person consents in "
    "writing or a court authorizes it under 42 CFR 2.64 or 2.65 (apart from the exception "
    "in 42 CFR 2.12(c)(5)).\n"
    "2. You may not otherwise use or disclose it further unless (a) the written consent "
    "of the person it is about expressly permits it, or 42 CFR part 2 otherwise allows "
    "it; (b) you are a HIPAA covered entity or business associate and received it for "
    "treatment, payment or health care operations; or (c) you received it from a HIPAA "
    "covered entity or business associate as 45 CFR part 164, subparts A and E, allow.\n"
    "3. A general authorization to release medical or other information is not enough to "
    "permit any further use or disclosure of this information (see 42 CFR 2.31)."
)

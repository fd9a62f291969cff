"""Job titles, departments, products, activity subjects and reasons, in English and Chinese."""

from __future__ import annotations

JOB_TITLES_EN = (
    "Chief Executive Officer", "Chief Technology Officer", "Chief Financial Officer",
    "VP of Sales", "VP of Engineering", "Head of Procurement", "IT Director", "Operations Manager",
    "Purchasing Manager", "Marketing Manager", "Product Manager", "Software Engineer",
    "Account Manager", "Finance Director", "Office Manager", "Project Manager", "Data Analyst",
    "Head of Customer Success", "Supply Chain Manager", "HR Director",
)
JOB_TITLES_ZH = (
    "总经理", "首席技术官", "财务总监", "销售总监", "技术总监", "采购经理", "信息部经理",
    "运营经理", "市场经理", "产品经理", "软件工程师", "客户经理", "项目经理", "数据分析师",
    "人力资源总监", "供应链经理", "行政主管",
)
DEPARTMENTS_EN = ("Sales", "Engineering", "Finance", "Procurement", "IT", "Operations",
                  "Marketing", "Human Resources", "Customer Success", "Executive")
DEPARTMENTS_ZH = ("销售部", "技术部", "财务部", "采购部", "信息部", "运营部", "市场部",
                  "人力资源部", "客户服务部", "总经办")

PRODUCTS = (
    "Platform licence", "Enterprise subscription", "Support renewal", "Implementation services",
    "Seat expansion", "Analytics add-on", "Data migration", "Training package",
    "Premium support", "Integration project", "Pilot", "Multi-year renewal",
)
NEXT_STEPS = ("Send proposal", "Schedule demo", "Security review", "Legal review of contract",
              "Follow up with champion", "Pricing call", "Technical workshop", "")
LOST_REASONS = ("Price too high", "Chose a competitor", "No budget this year", "Project cancelled",
                "No decision", "Missing feature", "Timing")

ACTIVITY_SUBJECTS: dict[str, tuple[str, ...]] = {
    "task": ("Send pricing proposal", "Prepare contract draft", "Update account plan",
             "Follow up on open questions", "Book onsite visit", "Send case studies",
             "Check renewal date", "Share product roadmap"),
    "call": ("Discovery call", "Follow-up call", "Pricing discussion", "Check-in call",
             "Renewal call", "Reference call", "Support escalation call"),
    "meeting": ("Product demo", "Quarterly business review", "Kick-off meeting",
                "Technical workshop", "Executive briefing", "Contract negotiation",
                "Onsite visit"),
    "note": ("Notes from conversation", "Budget confirmed", "Competitor in the deal",
             "Champion identified", "Decision timeline", "Procurement process"),
    "email": ("Re: Proposal", "Re: Next steps", "Meeting follow-up", "Re: Pricing question",
              "Introduction", "Re: Contract", "Thank you for your time"),
}
NOTE_BODIES = (
    "Customer wants to consolidate three tools into one platform.",
    "Budget approved for the next fiscal year; procurement needs two quotes.",
    "IT asked for SSO and an on-premise option.",
    "Champion is the head of operations; CFO signs off above 50k.",
    "They are evaluating a competitor as well; decision expected this quarter.",
    "Follow up after their board meeting.",
)
TAG_NAMES = (("VIP", "#b91c1c"), ("Partner", "#1d4ed8"), ("Newsletter", "#047857"),
             ("Event 2024", "#7c3aed"), ("Churn risk", "#c2410c"), ("Reference customer",
                                                                    "#0f766e"),
             ("Decision maker", "#4338ca"), ("Trade show", "#a16207"), ("Upsell", "#15803d"),
             ("Key account", "#9d174d"))

"""The process rules, in an explicit registry: one module per rule, keyed by code."""

from __future__ import annotations

from prodops.rules import (
    approver_known,
    checkin_in_period,
    checkin_stale,
    date_order,
    delivery_all_done,
    delivery_open_tickets,
    delivery_stale,
    dependency_late,
    due_in_quarter,
    go_no_go_lead,
    insight_needs_decision,
    item_overdue,
    kpi_at_risk,
    kpi_stale,
    kr_has_work,
    kr_kpi_current,
    kr_kpi_unit,
    kr_measurable,
    launch_before_item_due,
    launch_checklist,
    launch_date_passed,
    launch_go_decision,
    launch_readiness,
    objective_kr_count,
    owner_known,
    playbook_fresh,
    shipped_has_launch,
    strategy_coverage,
    team_objective_aligned,
    tier1_launch_plan,
)
from prodops.rules.base import Context, Finding, Rule

REGISTRY: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        strategy_coverage.RULE,
        kr_has_work.RULE,
        kr_measurable.RULE,
        objective_kr_count.RULE,
        tier1_launch_plan.RULE,
        launch_checklist.RULE,
        launch_date_passed.RULE,
        launch_readiness.RULE,
        shipped_has_launch.RULE,
        dependency_late.RULE,
        owner_known.RULE,
        playbook_fresh.RULE,
        checkin_in_period.RULE,
        checkin_stale.RULE,
        team_objective_aligned.RULE,
        launch_go_decision.RULE,
        item_overdue.RULE,
        date_order.RULE,
        go_no_go_lead.RULE,
        launch_before_item_due.RULE,
        due_in_quarter.RULE,
        insight_needs_decision.RULE,
        kpi_at_risk.RULE,
        kpi_stale.RULE,
        kr_kpi_current.RULE,
        kr_kpi_unit.RULE,
        approver_known.RULE,
        delivery_all_done.RULE,
        delivery_open_tickets.RULE,
        delivery_stale.RULE,
    )
}

__all__ = ["REGISTRY", "Context", "Finding", "Rule"]

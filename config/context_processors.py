import rules


def permissions(request):
    """What the shared layout offers the signed-in user, asked of each app's rules: templates
    read these flags and compare no role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"may": {}}
    return {
        "may": {
            "declare": rules.has_perm("declarations.create_declaration", user),
            "enter_console": rules.has_perm("console.enter", user),
            "console_staff": rules.has_perm("console.staff", user),
            "evaluate": rules.has_perm("review.evaluate", user),
            "disburse": rules.has_perm("disbursement.disburse", user),
            "see_money": rules.has_perm("disbursement.view_money", user),
            "see_recovery_cases": rules.has_perm("disbursement.view_recovery_cases", user),
            "monitor": rules.has_perm("monitoring.view", user),
            "manage_calendar": rules.has_perm("publicity.manage_calendar", user),
            "view_budgets": rules.has_perm("review.view_budgets", user),
            "manage_budgets": rules.has_perm("review.manage_budgets", user),
            "view_security_events": rules.has_perm("accounts.view_security_events", user),
            "view_statistics": rules.has_perm("monitoring.view_statistics", user),
        }
    }

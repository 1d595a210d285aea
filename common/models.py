"""common has no models; this module makes Django send it post_migrate (see apps.py), after which
the audit tables of every app get their trigger."""

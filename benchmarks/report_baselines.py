"""The hand-written SQL of each funder report (PostgreSQL), for benchmarks/reports.py.

Each baseline is one statement that computes the report's figures straight from the
tables (counts, sums, distinct people, medians with ``percentile_cont``), written from the
definitions in docs/reports.md rather than from the report's code, and ``headline`` picks
the figures that benchmarks/reports.py compares with the report's own.

Parameters: ``org``, ``programs`` (a list), ``start``/``end`` (the period as [start, end)
instants), ``first``/``last`` (its first and last day), ``today``, ``tz`` (the time zone's
name), ``stages`` (the stages of change in order). The benchmark runs every report over
all of a coordinator's programs with no supporter or site chosen, so these statements do
not filter by supporter or site.
"""

from __future__ import annotations

SCOPE = "e.organization_id = %(org)s AND e.program_id = ANY(%(programs)s)"

VOLUME = f"""
WITH m AS (
    SELECT date_trunc('month', m.starts_at AT TIME ZONE %(tz)s) AS month, m.mode,
           e.program_id, e.participant_id AS person,
           m.duration_minutes AS minutes, m.service_units AS units
    FROM meetings_meeting m JOIN engagements_engagement e ON e.id = m.engagement_id
    WHERE {SCOPE} AND m.status = 'held' AND m.starts_at >= %(start)s AND m.starts_at < %(end)s
), c AS (
    SELECT date_trunc('month', c.occurred_at AT TIME ZONE %(tz)s) AS month,
           e.participant_id AS person
    FROM contacts_contact c JOIN engagements_engagement e ON e.id = c.engagement_id
    WHERE {SCOPE} AND c.occurred_at >= %(start)s AND c.occurred_at < %(end)s
)
SELECT 'meetings', GROUPING(month, mode, program_id), month, mode, program_id,
       count(*), sum(minutes), sum(units), count(DISTINCT person)
FROM m GROUP BY GROUPING SETS ((month), (mode), (program_id), ())
UNION ALL
SELECT 'contacts', 7 * GROUPING(month), month, NULL, NULL,
       count(*), NULL, NULL, count(DISTINCT person)
FROM c GROUP BY GROUPING SETS ((month), ())
"""


def volume_headline(rows) -> list:
    meetings = next(r for r in rows if r[0] == "meetings" and r[1] == 7)
    contacts = next(r for r in rows if r[0] == "contacts" and r[1] == 7)
    _w, _g, _m, _mode, _p, n, minutes, units, people = meetings
    return [n, round((minutes or 0) / 60, 1), units or 0, people, contacts[5]]


FUNNEL = """
WITH r AS (
    SELECT r.participant_id AS person, r.received_at, r.screened_at, r.matched_at,
           e.activated_on, e.closed_on,
           (SELECT min(c.occurred_at) FROM contacts_contact c
            WHERE c.engagement_id = e.id) AS contact,
           (SELECT min(m.starts_at) FROM meetings_meeting m
            WHERE m.engagement_id = e.id AND m.status = 'held') AS meeting
    FROM referrals_referral r LEFT JOIN engagements_engagement e ON e.referral_id = r.id
    WHERE r.organization_id = %(org)s AND r.program_id = ANY(%(programs)s)
      AND r.received_at >= %(start)s AND r.received_at < %(end)s
), f AS (
    SELECT *, LEAST(CASE WHEN contact >= received_at THEN contact END,
                    CASE WHEN meeting >= received_at THEN meeting END) AS first_contact
    FROM r
)
SELECT count(DISTINCT person),
       count(DISTINCT person) FILTER (WHERE screened_at IS NOT NULL),
       count(DISTINCT person) FILTER (WHERE matched_at IS NOT NULL),
       count(DISTINCT person) FILTER (WHERE activated_on IS NOT NULL),
       count(DISTINCT person) FILTER (WHERE closed_on IS NOT NULL),
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM screened_at - received_at) / 86400),
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM first_contact - received_at) / 86400),
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM matched_at - received_at) / 86400),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY activated_on - matched_at::date)
FROM f
"""


def funnel_headline(rows) -> list:
    row = rows[0]
    return [*row[:5], *(None if v is None else round(float(v), 1) for v in row[5:])]


CASELOADS = f"""
WITH o AS (
    SELECT e.participant_id AS person,
           COALESCE((SELECT a.supporter_id FROM engagements_supporterassignment a
                     WHERE a.engagement_id = e.id AND a.started_on <= %(last)s
                       AND (a.ended_on IS NULL OR a.ended_on > %(last)s)
                     ORDER BY a.started_on DESC, a.id DESC LIMIT 1),
                    e.supporter_id) AS who,
           (SELECT s.tier FROM assessments_assessment s
            WHERE s.engagement_id = e.id AND s.assessed_on <= %(last)s
            ORDER BY s.assessed_on DESC, s.id DESC LIMIT 1) AS tier
    FROM engagements_engagement e
    WHERE {SCOPE} AND e.state <> 'referred' AND e.started_on <= %(last)s
      AND (e.closed_on IS NULL OR e.closed_on > %(last)s)
), loads AS (
    SELECT o.person, o.who,
           CASE COALESCE(o.tier, 1)
               WHEN 2 THEN COALESCE(p.tier2_load, 1.0)
               WHEN 3 THEN COALESCE(p.tier3_load, 0.5)
               ELSE COALESCE(p.tier1_load, 1.5)
           END AS load
    FROM o LEFT JOIN accounts_peersupporterprofile p
        ON p.user_id = o.who AND p.organization_id = %(org)s
    WHERE o.who IS NOT NULL
), capacity AS (
    SELECT sum(p.capacity) AS capacity FROM accounts_peersupporterprofile p
    WHERE p.organization_id = %(org)s
      AND (p.user_id IN (SELECT who FROM loads)
           OR EXISTS (SELECT 1 FROM accounts_peersupporterprofile_programs pp
                      WHERE pp.peersupporterprofile_id = p.id
                        AND pp.program_id = ANY(%(programs)s)))
), waiting AS (
    SELECT r.participant_id AS person,
           %(last)s::date - (r.received_at AT TIME ZONE %(tz)s)::date AS days
    FROM referrals_referral r
    WHERE r.organization_id = %(org)s AND r.program_id = ANY(%(programs)s)
      AND r.received_at < %(end)s
      AND (r.status IN ('new', 'accepted', 'waitlisted')
           OR (r.status = 'matched' AND r.matched_at >= %(end)s)
           OR (r.status = 'declined' AND r.screened_at >= %(end)s))
)
SELECT (SELECT count(*) FROM loads), (SELECT sum(load) FROM loads),
       (SELECT capacity FROM capacity),
       count(DISTINCT person), percentile_cont(0.5) WITHIN GROUP (ORDER BY days), max(days)
FROM waiting
"""


def caseloads_headline(rows) -> list:
    n, load, capacity, waiting, median, longest = rows[0]
    return [
        n,
        float(load or 0),
        capacity,
        waiting,
        None if median is None else round(float(median), 1),
        longest,
    ]


OUTCOMES = f"""
WITH scored AS (
    SELECT v.instrument_id, e.participant_id AS person, r.completed_at, r.score,
           row_number() OVER w AS n,
           count(*) OVER (PARTITION BY r.engagement_id, v.instrument_id) AS responses,
           first_value(r.score) OVER w AS first_score
    FROM surveys_response r
    JOIN engagements_engagement e ON e.id = r.engagement_id
    JOIN surveys_instrumentversion v ON v.id = r.instrument_version_id
    WHERE {SCOPE} AND r.status = 'complete' AND r.score IS NOT NULL
      AND r.completed_at < %(end)s
    WINDOW w AS (PARTITION BY r.engagement_id, v.instrument_id ORDER BY r.completed_at, r.id)
), pairs AS (
    SELECT * FROM scored
    WHERE n = responses AND responses > 1 AND completed_at >= %(start)s
), goals AS (
    SELECT e.participant_id AS person, g.created_at, g.status,
           COALESCE((SELECT min(h.history_date) FROM plans_historicalgoal h
                     WHERE h.id = g.id AND h.status = 'achieved'), g.updated_at) AS achieved_at
    FROM plans_goal g JOIN engagements_engagement e ON e.id = g.engagement_id
    WHERE {SCOPE}
      -- updated_at is at least every history date of the goal (auto_now): a goal first
      -- marked achieved in the period was last changed in it or after
      AND ((g.created_at >= %(start)s AND g.created_at < %(end)s)
           OR (g.status = 'achieved' AND g.updated_at >= %(start)s - interval '1 day'))
), stages AS (
    SELECT e.participant_id AS person, s.recorded_at,
           array_position(%(stages)s, s.stage::text) AS stage,
           array_position(%(stages)s, first_value(s.stage::text) OVER w) AS first_stage,
           row_number() OVER w AS n, count(*) OVER (PARTITION BY s.goal_id) AS recorded
    FROM plans_goalstage s
    JOIN plans_goal g ON g.id = s.goal_id
    JOIN engagements_engagement e ON e.id = g.engagement_id
    WHERE {SCOPE} AND s.recorded_at < %(end)s
    WINDOW w AS (PARTITION BY s.goal_id ORDER BY s.recorded_at, s.id)
), latest AS (
    SELECT * FROM stages WHERE n = recorded AND recorded_at >= %(start)s
)
SELECT 'scores', instrument_id, count(*), avg(first_score), avg(score),
       count(*) FILTER (WHERE score > first_score), count(DISTINCT person)
FROM pairs GROUP BY instrument_id
UNION ALL
SELECT 'goals', NULL,
       count(*) FILTER (WHERE created_at >= %(start)s AND created_at < %(end)s),
       count(DISTINCT person) FILTER (WHERE created_at >= %(start)s AND created_at < %(end)s),
       count(*) FILTER (WHERE status = 'achieved'
                        AND achieved_at >= %(start)s AND achieved_at < %(end)s),
       count(DISTINCT person) FILTER (WHERE status = 'achieved'
                                      AND achieved_at >= %(start)s AND achieved_at < %(end)s),
       NULL
FROM goals
UNION ALL
SELECT 'stages', NULL, count(*),
       count(*) FILTER (WHERE recorded > 1 AND stage > first_stage),
       count(*) FILTER (WHERE recorded > 1 AND stage = first_stage),
       count(*) FILTER (WHERE recorded > 1 AND stage < first_stage),
       count(*) FILTER (WHERE recorded = 1)
FROM latest
"""


def outcomes_headline(rows) -> list:
    found = []
    for what, _instrument, *figures in sorted(rows, key=lambda r: (r[0], r[1] or 0)):
        if what == "scores":
            n, first, latest, _improved, _people = figures
            found += [n, round(float(first), 1), round(float(latest), 1)]
        else:
            found += [int(v) for v in figures if v is not None]
    return found


TIERS = f"""
WITH q AS (
    SELECT GREATEST(qs::date, %(first)s::date) AS first,
           LEAST((qs + interval '3 months' - interval '1 day')::date, %(last)s::date) AS last
    FROM generate_series(date_trunc('quarter', %(first)s::date), %(last)s::date,
                         interval '3 months') AS qs
    -- at most 21 quarters in five years: the limit tells the planner so (without it,
    -- it guesses 1000 rows, and the cost it then expects sets off JIT compilation)
    LIMIT 21
), e AS (
    SELECT e.id, e.participant_id AS person, e.started_on, e.activated_on, e.closed_on,
           COALESCE(p.assessment_interval_months, 12) AS months
    FROM engagements_engagement e JOIN organizations_program p ON p.id = e.program_id
    WHERE {SCOPE} AND e.state <> 'referred' AND e.started_on <= %(last)s
      AND (e.closed_on IS NULL OR e.closed_on >= %(first)s)
), a AS (
    SELECT a.id, a.engagement_id, e.person, a.assessed_on, a.tier,
           COALESCE(a.reassess_on, (a.assessed_on + make_interval(months => e.months))::date)
               AS next_due,
           row_number() OVER w AS n,
           lead(a.assessed_on) OVER w AS next_on
    FROM assessments_assessment a JOIN e ON e.id = a.engagement_id
    WHERE a.assessed_on <= %(last)s
    WINDOW w AS (PARTITION BY a.engagement_id ORDER BY a.assessed_on, a.id)
), due AS (
    SELECT e.id, e.person, (e.activated_on + make_interval(months => e.months))::date AS day,
           a.assessed_on AS answered
    FROM e LEFT JOIN a ON a.engagement_id = e.id AND a.n = 1
    WHERE e.activated_on IS NOT NULL
    UNION ALL
    SELECT a.engagement_id, a.person, a.next_due, a.next_on FROM a
), tier_then AS (
    SELECT DISTINCT ON (q.first, a.engagement_id) q.first, q.last, a.engagement_id, a.tier
    FROM q JOIN a ON a.assessed_on <= q.last
    ORDER BY q.first, a.engagement_id, a.assessed_on DESC, a.id DESC
)
SELECT 'tiers', t.first, count(*), count(DISTINCT e.person)
FROM tier_then t JOIN e ON e.id = t.engagement_id
WHERE e.started_on <= t.last AND (e.closed_on IS NULL OR e.closed_on > t.last)
GROUP BY t.first
UNION ALL
SELECT 'done', q.first, count(*), count(DISTINCT a.person)
FROM q JOIN a ON a.assessed_on BETWEEN q.first AND q.last GROUP BY q.first
UNION ALL
SELECT 'due', q.first, count(*), count(*) FILTER (WHERE d.answered <= d.day)
FROM q JOIN due d ON d.day BETWEEN q.first AND q.last
JOIN e ON e.id = d.id
WHERE d.day <= %(today)s AND e.started_on <= d.day
  AND (e.closed_on IS NULL OR e.closed_on > d.day)
GROUP BY q.first
"""


def tiers_headline(rows) -> list:
    """Per quarter: engagements with a tier, assessments done, due, % on time."""
    by = {(what, first): (n, m) for what, first, n, m in rows}
    found = []
    for first in sorted({first for _what, first in by}):
        due, on_time = by.get(("due", first), (0, 0))
        found += [
            by.get(("tiers", first), (0, 0))[0],
            by.get(("done", first), (0, 0))[0],
            due,
            round(100 * on_time / due, 1) if due else None,
        ]
    return found


ENDINGS = f"""
WITH x AS (
    SELECT x.kind, x.reason, e.participant_id AS person
    FROM exits_exit x JOIN engagements_engagement e ON e.id = x.engagement_id
    WHERE {SCOPE} AND x.completed_at >= %(start)s AND x.completed_at < %(end)s
), l AS (
    SELECT e.participant_id AS person, e.closed_on - e.started_on AS days,
           NULLIF(p.duration_guideline_days, 0) AS guideline,
           e.closed_on <= e.started_on + p.duration_guideline_days AS within,
           e.closed_on <= COALESCE(e.guideline_ends_on,
                                   e.started_on + p.duration_guideline_days) AS within_extended
    FROM engagements_engagement e JOIN organizations_program p ON p.id = e.program_id
    WHERE {SCOPE} AND e.closed_on BETWEEN %(first)s AND %(last)s
)
SELECT 'exits', count(*), count(DISTINCT person), NULL::float, NULL::numeric, NULL::numeric
FROM x
UNION ALL
SELECT 'lengths', count(*), count(DISTINCT person),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY days),
       100.0 * count(*) FILTER (WHERE guideline IS NOT NULL AND within)
           / NULLIF(count(guideline), 0),
       100.0 * count(*) FILTER (WHERE guideline IS NOT NULL AND within_extended)
           / NULLIF(count(guideline), 0)
FROM l
"""


def endings_headline(rows) -> list:
    by = {row[0]: row[1:] for row in rows}
    exits, lengths = by["exits"], by["lengths"]
    return [
        exits[0],
        lengths[0],
        *(None if v is None else round(float(v), 1) for v in lengths[2:]),
    ]


CONCERNS = f"""
SELECT GROUPING(c.category, c.urgency), c.category, c.urgency,
       count(*), count(c.acknowledged_at), count(c.resolved_at),
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY GREATEST(extract(epoch FROM c.acknowledged_at - c.created_at), 0) / 3600)
           FILTER (WHERE c.acknowledged_at IS NOT NULL),
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY GREATEST(extract(epoch FROM c.resolved_at - c.created_at), 0) / 86400)
           FILTER (WHERE c.resolved_at IS NOT NULL)
FROM concerns_concern c LEFT JOIN engagements_engagement e ON e.id = c.engagement_id
WHERE c.organization_id = %(org)s AND c.created_at >= %(start)s AND c.created_at < %(end)s
  AND (({SCOPE}) OR c.engagement_id IS NULL)
GROUP BY GROUPING SETS ((c.category), (c.urgency), ())
"""


def concerns_headline(rows) -> list:
    total = next(r for r in rows if r[0] == 3)
    return [*total[3:6], *(None if v is None else round(float(v), 1) for v in total[6:])]


DEMOGRAPHICS = f"""
WITH served AS (
    SELECT p.id, p.gender, p.veteran_status, p.preferred_language, p.race_ethnicity,
           CASE WHEN p.date_of_birth IS NULL THEN NULL
                ELSE date_part('year', age(%(last)s::date, p.date_of_birth)) END AS age
    FROM participants_participant p
    WHERE p.id IN (SELECT e.participant_id
                   FROM meetings_meeting m JOIN engagements_engagement e
                       ON e.id = m.engagement_id
                   WHERE {SCOPE} AND m.status = 'held'
                     AND m.starts_at >= %(start)s AND m.starts_at < %(end)s)
)
SELECT 'served', '', count(*) FROM served
UNION ALL SELECT 'gender', gender, count(*) FROM served GROUP BY gender
UNION ALL SELECT 'veteran', veteran_status, count(*) FROM served GROUP BY veteran_status
UNION ALL SELECT 'language', preferred_language, count(*) FROM served GROUP BY preferred_language
UNION ALL
SELECT 'age', CASE WHEN age IS NULL THEN '' WHEN age < 18 THEN '0-17'
                   WHEN age < 25 THEN '18-24' WHEN age < 35 THEN '25-34'
                   WHEN age < 45 THEN '35-44' WHEN age < 55 THEN '45-54'
                   WHEN age < 65 THEN '55-64' ELSE '65+' END, count(*)
FROM served GROUP BY 2
UNION ALL
SELECT 'race', race, count(DISTINCT id)
FROM served, jsonb_array_elements_text(
    CASE WHEN jsonb_typeof(race_ethnicity) = 'array' THEN race_ethnicity
         ELSE '[]'::jsonb END) AS race
GROUP BY race
"""


def demographics_headline(rows) -> list:
    """People served, then the number of them by gender (woman, man) and veteran."""
    by = {(what, value): n for what, value, n in rows}
    return [
        by["served", ""],
        by.get(("gender", "woman"), 0),
        by.get(("gender", "man"), 0),
        by.get(("veteran", "yes"), 0),
    ]


BASELINES = {
    "volume": (VOLUME, volume_headline),
    "funnel": (FUNNEL, funnel_headline),
    "caseloads": (CASELOADS, caseloads_headline),
    "outcomes": (OUTCOMES, outcomes_headline),
    "tiers": (TIERS, tiers_headline),
    "endings": (ENDINGS, endings_headline),
    "concerns": (CONCERNS, concerns_headline),
    "demographics": (DEMOGRAPHICS, demographics_headline),
}

"""The writes' time of another version of the code (``run.REFERENCE_COMMIT``), measured in the same run as this
one's, on the same database: "submit / accept a report ≤ 2× today's time" (issue 20) compares the two in one
run instead of against a ratio kept from another day (the baseline page has changed since: an index made its
count of reports waiting cheap, so the old ratios are no longer in the same unit).

    cd <a checkout of REFERENCE_COMMIT> && DATABASE_URL=... python <this file> REPORT_ID FILER STAFF [--repeat N]

Runs the checkout's own code (the current directory comes first on the path): the report's return and
resubmission alternately through that code's services, as ``run.measure`` does with this code; prints
{"report submit (service)": ms, "report return (service)": ms, "baseline page": ms} (medians) as JSON. Nothing
else is written: the report ends as it started (submitted), its transitions and versions appended as any write's.
"""

import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.getcwd())


def main():
    report_id, filer_name, staff_name = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 15
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoi_portal.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from reports import services
    from reports.models import PeriodicReport, ReportStatus

    users = get_user_model()
    staff, filer = users.objects.get(username=staff_name), users.objects.get(username=filer_name)
    times = {"submit": [], "return": []}
    for _ in range(2 * repeat + 2):
        report = PeriodicReport.objects.get(pk=report_id)
        started = time.perf_counter()
        if report.status == ReportStatus.SUBMITTED:
            services.report_return(report=report, reason="Đề nghị bổ sung số liệu.", by=staff)
            times["return"].append((time.perf_counter() - started) * 1000)
        else:
            services.report_submit(report=report, by=filer)
            times["submit"].append((time.perf_counter() - started) * 1000)
    if PeriodicReport.objects.get(pk=report_id).status != ReportStatus.SUBMITTED:
        services.report_submit(report=PeriodicReport.objects.get(pk=report_id), by=filer)
    client = Client()
    client.force_login(staff)
    baseline = []
    for i in range(repeat + 2):
        started = time.perf_counter()
        assert client.get("/_baseline/").status_code == 200
        if i >= 2:
            baseline.append((time.perf_counter() - started) * 1000)
    print(
        json.dumps(
            {
                "report submit (service)": statistics.median(times["submit"][1:]),
                "report return (service)": statistics.median(times["return"][1:]),
                "baseline page": statistics.median(baseline),
            }
        )
    )


if __name__ == "__main__":
    main()

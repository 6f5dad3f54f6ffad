import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baozhang.settings")
django.setup(set_prefix=False)

from django.conf import settings  # noqa: E402

from baozhang.monitoring.heartbeat import with_heartbeats  # noqa: E402  (needs Django set up)
from baozhang.web.admission import limit_for_pool, with_admission  # noqa: E402
from baozhang.web.handler import DEFAULT_THREADS, django_application  # noqa: E402
from baozhang.web.limits import with_request_limits  # noqa: E402

# Over-long URLs and heads are answered 414/431 before anything else reads them; pings are
# answered by the heartbeat writer; the rest take their turn for a database connection and
# run on as many kept threads as requests are let in at once, the API's token requests on a
# shorter way than a browser's (web/handler.py).
admission_limit = limit_for_pool(
    settings.DATABASES["default"].get("OPTIONS", {}).get("pool"),
    settings.WEB_ADMISSION_LIMIT,
)
admitted = with_admission(
    django_application(admission_limit or DEFAULT_THREADS),
    admission_limit,
    settings.WEB_ADMISSION_WAIT,
)
application = with_request_limits(with_heartbeats(admitted))

import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baozhang.settings")
# WhiteNoise serves our few small vendored files from a synchronous iterator, which Django's
# ASGI handler reads in a thread; that is fine for them, so the warning says nothing new.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)
django_application = get_asgi_application()

from django.conf import settings  # noqa: E402

from baozhang.monitoring.heartbeat import with_heartbeats  # noqa: E402  (needs Django set up)
from baozhang.web.admission import limit_for_pool, with_admission  # noqa: E402
from baozhang.web.limits import with_request_limits  # noqa: E402
from baozhang.web.token_api import TOKEN_WAY_THREADS, with_token_way  # noqa: E402

# Over-long URLs and heads are answered 414/431 before anything else reads them; pings are
# answered by the heartbeat writer; the rest take their turn for a database connection,
# the API's token requests then on a shorter way than a browser's (web/token_api.py), on as
# many threads as requests are let in at once.
admission_limit = limit_for_pool(
    settings.DATABASES["default"].get("OPTIONS", {}).get("pool"),
    settings.WEB_ADMISSION_LIMIT,
)
admitted = with_admission(
    with_token_way(django_application, admission_limit or TOKEN_WAY_THREADS),
    admission_limit,
    settings.WEB_ADMISSION_WAIT,
)
application = with_request_limits(with_heartbeats(admitted))

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

from baozhang.monitoring.heartbeat import with_heartbeats  # noqa: E402  (needs Django set up)

application = with_heartbeats(django_application)

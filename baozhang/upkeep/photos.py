"""Photos of a work order's original record: what is accepted and how they are kept.

The record's form and the API take the same photos under the same limits; a photo is kept
with the version of the record it came with, and never removed.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from baozhang.upkeep.models import Photo, WorkRecord

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 10
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/gif")

#: A photo as it arrives: file name, content type, bytes.
Upload = tuple[str, str, bytes]


def photo_errors(photos: Sequence[Upload], already: int = 0) -> list[str]:
    """What is wrong with ``photos`` for a version that holds ``already`` photos, in the
    language active now; empty when they may be kept."""
    errors = []
    if already + len(photos) > MAX_PHOTOS:
        errors.append(
            _("A version of the record holds at most %(n)d photos (it has %(already)d).")
            % {"n": MAX_PHOTOS, "already": already}
        )
    for name, content_type, data in photos:
        if len(data) > MAX_PHOTO_BYTES:
            errors.append(_("“%(name)s” is larger than 10 MB.") % {"name": name})
        elif content_type not in PHOTO_TYPES:
            errors.append(
                _("“%(name)s” is not a photo (%(type)s); accepted: JPEG, PNG, WebP, HEIC, GIF.")
                % {"name": name, "type": content_type or _("unknown type")}
            )
        elif not data:
            errors.append(_("“%(name)s” is empty.") % {"name": name})
    return errors


def keep_photos(record: WorkRecord, photos: Sequence[Upload]) -> list[Photo]:
    """Store ``photos`` with ``record`` (checked before with :func:`photo_errors`)."""
    kept = []
    for name, content_type, data in photos:
        photo = Photo(record=record, filename=name[:255], content_type=content_type, size=len(data))
        photo.file.save(name[-100:] or "photo", ContentFile(data), save=False)
        photo.save()
        kept.append(photo)
    return kept

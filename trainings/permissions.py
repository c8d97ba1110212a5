"""One predicate per rule. Pages, the admin and the API call these; nothing else decides who may do what.

Participants' personal data is visible only to ministry staff and to the organisers of that training.
"""

from rest_framework.permissions import BasePermission

from accounts.roles import is_ministry_staff

from .models import Training


def _is_active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_training_organiser(user, training: Training) -> bool:
    """A user named as an organiser of this training."""
    if not _is_active_user(user):
        return False
    return training.organisers.filter(pk=user.pk).exists()


def can_use_organiser_panel(user) -> bool:
    """Staff, and anyone who organises at least one training, see the organisers' panel."""
    if is_ministry_staff(user):
        return True
    return _is_active_user(user) and Training.objects.organised_by(user).exists()


def can_view_participants(user, training: Training) -> bool:
    """Participants' names, e-mails and institutions: staff and this training's organisers only."""
    return is_ministry_staff(user) or is_training_organiser(user, training)


def can_manage_training(user, training: Training) -> bool:
    """Opening and closing registration, completing or cancelling: the training's organisers (and staff)."""
    return is_ministry_staff(user) or is_training_organiser(user, training)


def can_record_attendance(user, training: Training) -> bool:
    """Attendance and enrolment confirmation are kept by the training's organisers (and staff)."""
    return is_ministry_staff(user) or is_training_organiser(user, training)


def can_issue_certificates(user, training: Training) -> bool:
    """Certificates are issued and downloaded by the training's organisers (and staff)."""
    return is_ministry_staff(user) or is_training_organiser(user, training)


def can_view_reports(user) -> bool:
    """Programme reports are for ministry staff."""
    return is_ministry_staff(user)


def can_export_personal_data(user) -> bool:
    """Answering a data-subject request (all data about one e-mail address) is a ministry staff task."""
    return is_ministry_staff(user)


class CanViewParticipants(BasePermission):
    """DRF wrapper of can_view_participants (object level: the training)."""

    def has_permission(self, request, view):
        return _is_active_user(request.user)

    def has_object_permission(self, request, view, obj):
        return can_view_participants(request.user, obj)


class CanRecordAttendance(BasePermission):
    """DRF wrapper of can_record_attendance for writes; reads follow can_view_participants."""

    def has_permission(self, request, view):
        return _is_active_user(request.user)

    def has_object_permission(self, request, view, obj):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return can_view_participants(request.user, obj)
        return can_record_attendance(request.user, obj)

from django.urls import path

from venowatch.web import staff_views

urlpatterns = [
    path("", staff_views.worklist, name="worklist"),
    path("patients/<int:pk>/", staff_views.patient, name="staff-patient"),
    path("patients/<int:pk>/procedure/", staff_views.add_procedure, name="staff-add-procedure"),
    path("patients/<int:pk>/lab/", staff_views.add_lab, name="staff-add-lab"),
    path("patients/<int:pk>/note/", staff_views.add_note, name="staff-add-note"),
    path("tasks/<int:pk>/", staff_views.task_action, name="staff-task"),
]

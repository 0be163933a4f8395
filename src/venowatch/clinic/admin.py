"""The Django admin is where an administrator manages users, roles, advocate assignment and
clinic settings (IR and on-call contacts)."""

from django.contrib import admin

from venowatch.clinic import models


@admin.register(models.Clinic)
class ClinicAdmin(admin.ModelAdmin[models.Clinic]):
    list_display = ("name", "ir_name", "ir_phone", "oncall_phone", "oncall_email", "time_zone")


@admin.register(models.Member)
class MemberAdmin(admin.ModelAdmin[models.Member]):
    list_display = ("user", "clinic", "role", "phone")
    list_filter = ("clinic", "role")


@admin.register(models.Patient)
class PatientAdmin(admin.ModelAdmin[models.Patient]):
    list_display = ("name", "clinic", "advocate", "user", "time_zone")
    list_filter = ("clinic", "advocate")
    search_fields = ("name",)

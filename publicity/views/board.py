"""The public board: no login."""

from django.shortcuts import render
from django.urls import path

from publicity.selectors import publicity_batch_get_for_public, publicity_batch_list_for_public


def board(request):
    return render(request, "publicity/board.html", {"batches": publicity_batch_list_for_public()})


def batch(request, pk):
    return render(request, "publicity/batch.html", {"batch": publicity_batch_get_for_public(pk=pk)})


urlpatterns = [
    path("", board, name="board"),
    path("<int:pk>/", batch, name="batch"),
]

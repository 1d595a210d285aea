"""The Atom feed of the board (/publicity/feed/): one item per published version of a batch, with its
changelog, so a reader learns of a new list and of every correction."""

from django.contrib.syndication.views import Feed
from django.template.defaultfilters import linebreaks_filter
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.addresses import address_template
from publicity.selectors import publicity_version_list_for_feed


class PublicityFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Publicity board: lists of projects to be supported")
    subtitle = gettext_lazy(
        "Each list the commission publicises for 5 working days, and each corrected version of a list."
    )

    def link(self):
        return reverse("publicity:board")

    def items(self):
        self.version_url = address_template("publicity:version", "", "v")
        return publicity_version_list_for_feed()

    def item_title(self, item):
        if item.number == 1:
            return _("%(title)s (published)") % {"title": item.batch.title}
        return _("%(title)s, version %(number)d") % {"title": item.batch.title, "number": item.number}

    def item_description(self, item):
        # Atom's summary is HTML: the changelog is plain text, escaped here.
        return linebreaks_filter(item.changelog, autoescape=True)

    def item_link(self, item):
        return self.version_url % (item.batch_id, item.number)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at

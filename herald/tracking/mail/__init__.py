"""Mail's own ways back: bounces and abuse complaints acted on (`bounces`) as a mail server reports them to
the bounce domain's listener or a mailbox (`mailbox`), and unsubscribing from marketing mail by the one-click
POST or the preference page (`optouts`)."""

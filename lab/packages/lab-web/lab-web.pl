#!/usr/bin/perl
# lab-web: a tiny HTTP service for the patchwise lab. It listens on the host's own address
# (LAB_ADDRESS from /etc/lab/host.env) and answers /health; build @VERSION@.
use strict;
use warnings;
use IO::Socket::INET;

my $VERSION = '@VERSION@';
my $HEALTHY = @HEALTHY@;
my $addr = $ENV{LAB_ADDRESS} || '127.0.0.1';
my $port = $ENV{LAB_WEB_PORT} || 8080;

$SIG{TERM} = sub { exit 0 };
$SIG{CHLD} = 'IGNORE';
my $server = IO::Socket::INET->new(
    LocalAddr => $addr, LocalPort => $port, Proto => 'tcp', Listen => 16, ReuseAddr => 1,
) or die "lab-web: cannot listen on $addr:$port: $!\n";
print STDERR "lab-web $VERSION listening on $addr:$port\n";

while (my $client = $server->accept()) {
    $client->autoflush(1);
    my $request = <$client> // '';
    while (my $line = <$client>) { last if $line =~ /^\r?\n$/; }
    my ($path) = $request =~ m{^[A-Z]+ (\S+)};
    $path //= '/';
    my ($status, $body);
    if ($path eq '/health') {
        ($status, $body) = $HEALTHY
            ? ('200 OK', qq({"status":"ok","version":"$VERSION"}))
            : ('503 Service Unavailable', qq({"status":"failing","version":"$VERSION"}));
    } elsif ($path eq '/') {
        ($status, $body) = ('200 OK', qq({"service":"lab-web","version":"$VERSION"}));
    } else {
        ($status, $body) = ('404 Not Found', '{"error":"not found"}');
    }
    print $client "HTTP/1.0 $status\r\nContent-Type: application/json\r\nContent-Length: "
        . length($body) . "\r\nConnection: close\r\n\r\n$body";
    close $client;
}

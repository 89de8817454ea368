#!/usr/bin/perl
# LemonLDAP::NG's portal (OpenID Certified; Debian's liblemonldap-ng-portal-perl, installed by
# .ci/run) for pixie-auth's e2e tests, under Plack's own HTTP server on 127.0.0.1 only.
#
# The configuration is e2e/lemonldap/lmConf.json; this script only adds what must not be committed
# or shared: a fresh RS256 signing key, and a private temporary directory for the configuration,
# the sessions and the cache, so that nothing under /etc or /var/lib/lemonldap-ng is read or written.
#
# Test-only routes, under /__test/ (the portal itself is unchanged; a middleware only watches):
#   GET  /__test/stats                 counters of what the portal answered (see `%stats` below)
#   POST /__test/reset                 zeroes the counters
#   GET  /__test/refresh-token?token=… { state: 'active' | 'unknown' } from the session store
#   POST /__test/purge-refresh-token?token=…  deletes its session, as LemonLDAP's purge
#                                      (purgeCentralCache) does once a refresh token has expired
use strict;
use warnings;
use Crypt::OpenSSL::RSA;
use File::Basename qw(dirname);
use File::Path qw(make_path);
use File::Spec;
use File::Temp qw(tempdir);
use JSON::PP;
use Plack::App::File;
use Plack::Builder;
use Plack::Request;
use Plack::Runner;

my $HOST   = '127.0.0.1';
my $PORT   = $ENV{PIXIE_LEMONLDAP_PORT} || 4030;
my $STATIC = '/usr/share/lemonldap-ng/portal/htdocs/static';
my $json   = JSON::PP->new->canonical->utf8;

my $here = dirname( File::Spec->rel2abs(__FILE__) );
my $tmp  = tempdir( 'pixie-lemonldap-XXXXXX', TMPDIR => 1, CLEANUP => 1 );
my %dir  = map { $_ => "$tmp/$_" } qw(conf sessions psessions cache);
make_path( values %dir, "$dir{sessions}/lock", "$dir{psessions}/lock" );

my $conf = do {
    open my $in, '<', "$here/lmConf.json" or die "lmConf.json: $!";
    local $/;
    $json->decode(<$in>);
};
my $rsa = Crypt::OpenSSL::RSA->generate_key(2048);
$conf->{oidcServicePrivateKeySig} = $rsa->get_private_key_string;
$conf->{oidcServicePublicKeySig}  = $rsa->get_public_key_x509_string;
$conf->{globalStorage}            = 'Apache::Session::File';
$conf->{globalStorageOptions} =
  { Directory => $dir{sessions}, LockDirectory => "$dir{sessions}/lock" };
$conf->{persistentStorage} = 'Apache::Session::File';
$conf->{persistentStorageOptions} =
  { Directory => $dir{psessions}, LockDirectory => "$dir{psessions}/lock" };
write_file( "$dir{conf}/lmConf-1.json", $json->encode($conf) );

write_file( "$tmp/lemonldap-ng.ini", <<"INI" );
[all]
logLevel = warn

[configuration]
type = File
dirName = $dir{conf}

[portal]
staticPrefix = /static
templateDir = /usr/share/lemonldap-ng/portal/templates
languages = en
INI
$ENV{LLNG_DEFAULTCONFFILE} = "$tmp/lemonldap-ng.ini";

eval { require Lemonldap::NG::Portal; 1 }
  or die "LemonLDAP::NG's portal cannot be loaded (.ci/run installs its Debian packages): $@";
my $portal = Lemonldap::NG::Portal->run( {} );

my %stats;
sub reset_stats {
    %stats = (
        tokenRequests => { authorization_code => 0, refresh_token => 0, total => 0 },
        tokenErrors   => {},
        userinfoRequests => 0,
        endSessions      => 0,
        serverErrors     => 0,
    );
}
reset_stats();

# Counts the portal's answers by endpoint, as oidc-provider's events do for its tests.
my $watch = sub {
    my $app = shift;
    sub {
        my $env  = shift;
        my $req  = Plack::Request->new($env);
        my $path = $req->path_info;
        my $grant = $path eq '/oauth2/token' ? ( $req->body_parameters->{grant_type} // '' ) : undef;
        return Plack::Util::response_cb(
            $app->($env),
            sub {
                my $status = shift->[0];
                $stats{serverErrors} += 1 if $status >= 500;
                if ( defined $grant ) {
                    if   ( $status == 200 ) { $stats{tokenRequests}{$grant} += 1; $stats{tokenRequests}{total} += 1 }
                    else                    { $stats{tokenErrors}{"$grant:$status"} += 1 }
                }
                $stats{userinfoRequests} += 1 if $path eq '/oauth2/userinfo' && $status == 200;
                # The end-session endpoint redirects to post_logout_redirect_uri once the user confirmed.
                $stats{endSessions} += 1
                  if $path eq '/oauth2/logout' && $status == 302 && $req->method eq 'POST';
            }
        );
    };
};

my $test = sub {
    my $req = Plack::Request->new(shift);
    my $reply = sub { [ $_[0], [ 'Content-Type' => 'application/json' ], [ $json->encode( $_[1] ) ] ] };
    return $reply->( 200, \%stats ) if $req->path_info eq '/stats';
    if ( $req->path_info eq '/reset' && $req->method eq 'POST' ) {
        reset_stats();
        return $reply->( 200, {} );
    }
    my $token = $req->query_parameters->{token} // '';
    if ( $token !~ /^\w+$/ ) {
        return $reply->( 400, { error => 'bad token' } );
    }
    if ( $req->path_info eq '/refresh-token' ) {
        return $reply->( 200, { state => -e "$dir{sessions}/$token" ? 'active' : 'unknown' } );
    }
    if ( $req->path_info eq '/purge-refresh-token' && $req->method eq 'POST' ) {
        return $reply->( 200, { purged => unlink("$dir{sessions}/$token") ? JSON::PP::true : JSON::PP::false } );
    }
    return $reply->( 404, { error => 'not found' } );
};

my $app = builder {
    mount '/__test' => $test;
    mount '/static' => Plack::App::File->new( root => $STATIC )->to_app;
    mount '/'       => $watch->($portal);
};

my $runner = Plack::Runner->new;
$runner->parse_options( '--server', 'HTTP::Server::PSGI', '--host', $HOST, '--port', $PORT, '--env', 'deployment' );
print "LemonLDAP::NG portal on http://$HOST:$PORT/\n";
$runner->run($app);

sub write_file {
    my ( $path, $content ) = @_;
    open my $out, '>', $path or die "$path: $!";
    print {$out} $content;
    close $out or die "$path: $!";
}

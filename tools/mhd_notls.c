// SPDX-License-Identifier: GPL-2.0
/*
 * Link-time stand-ins for the GnuTLS symbols libmicrohttpd.a refers to,
 * for ccstat-static only.  Debian ships libmicrohttpd built with HTTPS
 * support but no static p11-kit or libunistring, so the real static
 * GnuTLS cannot be linked; ccstat never asks for TLS (no MHD_USE_TLS),
 * so only gnutls_global_init() (run by MHD_init) is ever called, and it
 * succeeds.  Everything else reports GNUTLS_E_UNIMPLEMENTED_FEATURE.
 * No prototypes on purpose: this file must not include gnutls.h.
 */
#include <stddef.h>
#include <stdlib.h>

#define GNUTLS_E_UNIMPLEMENTED_FEATURE (-1250)

void *(*gnutls_malloc)(size_t) = malloc;

int gnutls_global_init(void);
int gnutls_global_init(void)
{
	return 0;
}

void gnutls_global_deinit(void);
void gnutls_global_deinit(void)
{
}

const char *gnutls_strerror(int err);
const char *gnutls_strerror(int err)
{
	(void)err;
	return "TLS is not built into ccstat-static";
}

void *gnutls_session_get_ptr(void *session);
void *gnutls_session_get_ptr(void *session)
{
	(void)session;
	return NULL;
}

#define NO_TLS(name)		\
	int name(void);		\
	int name(void)		\
	{			\
		return GNUTLS_E_UNIMPLEMENTED_FEATURE; \
	}

NO_TLS(gnutls_alpn_set_protocols)
NO_TLS(gnutls_bye)
NO_TLS(gnutls_certificate_allocate_credentials)
NO_TLS(gnutls_certificate_free_credentials)
NO_TLS(gnutls_certificate_server_set_request)
NO_TLS(gnutls_certificate_set_dh_params)
NO_TLS(gnutls_certificate_set_retrieve_function2)
NO_TLS(gnutls_certificate_set_retrieve_function3)
NO_TLS(gnutls_certificate_set_x509_key_mem)
NO_TLS(gnutls_certificate_set_x509_key_mem2)
NO_TLS(gnutls_certificate_set_x509_trust_mem)
NO_TLS(gnutls_cipher_get)
NO_TLS(gnutls_credentials_set)
NO_TLS(gnutls_deinit)
NO_TLS(gnutls_dh_params_deinit)
NO_TLS(gnutls_dh_params_import_pkcs3)
NO_TLS(gnutls_dh_params_init)
NO_TLS(gnutls_handshake)
NO_TLS(gnutls_init)
NO_TLS(gnutls_priority_deinit)
NO_TLS(gnutls_priority_init)
NO_TLS(gnutls_priority_set)
NO_TLS(gnutls_protocol_get_version)
NO_TLS(gnutls_psk_allocate_server_credentials)
NO_TLS(gnutls_psk_free_server_credentials)
NO_TLS(gnutls_psk_set_server_credentials_function)
NO_TLS(gnutls_record_check_pending)
NO_TLS(gnutls_record_get_direction)
NO_TLS(gnutls_record_recv)
NO_TLS(gnutls_record_send)
NO_TLS(gnutls_session_set_ptr)
NO_TLS(gnutls_transport_set_int2)

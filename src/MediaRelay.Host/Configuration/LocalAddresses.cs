using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace MediaRelay.Host.Configuration;

/// <summary>
/// This host's own addresses and its IPv4 subnets' directed broadcasts, read once at start: media is never sent to
/// the relay's own ports on any of them (a listener on 0.0.0.0 answers on every address), nor to a broadcast.
/// </summary>
internal static class LocalAddresses
{
    public static (List<IPAddress> Addresses, List<IPAddress> Broadcasts) Read()
    {
        var addresses = new List<IPAddress>();
        var broadcasts = new List<IPAddress>();
        NetworkInterface[] interfaces;
        try
        {
            interfaces = NetworkInterface.GetAllNetworkInterfaces();
        }
        catch (NetworkInformationException)
        {
            // No interface list (a restricted sandbox): the relay addresses and loopback are still protected.
            return (addresses, broadcasts);
        }

        foreach (var nic in interfaces)
        {
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                var address = unicast.Address;
                addresses.Add(address);
                if (address.AddressFamily == AddressFamily.InterNetwork && unicast.PrefixLength is > 0 and < 31)
                {
                    var bytes = address.GetAddressBytes();
                    var value = BinaryPrimitives.ReadUInt32BigEndian(bytes) | ((1u << (32 - unicast.PrefixLength)) - 1);
                    BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
                    broadcasts.Add(new IPAddress(bytes));
                }
            }
        }

        return (addresses, broadcasts);
    }
}
